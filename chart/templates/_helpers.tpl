{{/* The chart name, or nameOverride, cut to the 63 characters a DNS label allows. */}}
{{- define "leader-election.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The fully qualified object name; the release name alone when it already contains the chart name. */}}
{{- define "leader-election.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version for the helm.sh/chart label. */}}
{{- define "leader-election.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "leader-election.labels" -}}
helm.sh/chart: {{ include "leader-election.chart" . }}
{{ include "leader-election.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels: name and instance only, because selectors are immutable. */}}
{{- define "leader-election.selectorLabels" -}}
app.kubernetes.io/name: {{ include "leader-election.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount the pods use. */}}
{{- define "leader-election.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "leader-election.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The app's image reference. */}}
{{- define "leader-election.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* The Secret holding the token: the existing one, or the chart's own; fails when neither or both are given. */}}
{{- define "leader-election.secretName" -}}
{{- $existing := .Values.gist.existingSecret.name }}
{{- if and $existing .Values.gist.token }}
{{- fail "gist.token and gist.existingSecret.name are both set: keep only one (the token belongs in the Secret)" }}
{{- end }}
{{- if $existing }}
{{- $existing }}
{{- else if .Values.gist.token }}
{{- include "leader-election.fullname" . }}
{{- else }}
{{- fail "no GitHub token: set gist.existingSecret.name to a Secret holding it, or gist.token" }}
{{- end }}
{{- end }}

{{/* The key of the token inside the Secret. */}}
{{- define "leader-election.secretKey" -}}
{{- if .Values.gist.existingSecret.name }}
{{- .Values.gist.existingSecret.key }}
{{- else }}
{{- "token" }}
{{- end }}
{{- end }}

{{/*
The identity of each copy: the cluster name alone with one replica, so the logs hail "napoleon";
with more, the cluster name and the pod name (expanded by the kubelet from the POD_NAME variable),
because two copies must never share an identity.
*/}}
{{- define "leader-election.identity" -}}
{{- $cluster := required "clusterName is required: the name of this cluster, e.g. --set clusterName=napoleon" .Values.clusterName }}
{{- if gt (int .Values.replicaCount) 1 }}
{{- printf "%s-$(POD_NAME)" $cluster }}
{{- else }}
{{- $cluster }}
{{- end }}
{{- end }}

{{/* A Go duration such as 1m30s or 500ms, in milliseconds. */}}
{{- define "leader-election.durationMillis" -}}
{{- $total := 0 }}
{{- range regexFindAll "[0-9]+(ms|h|m|s)" . -1 }}
{{- $amount := regexFind "^[0-9]+" . | int }}
{{- $unit := trimPrefix (regexFind "^[0-9]+" .) . }}
{{- $factor := get (dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000) $unit }}
{{- $total = add $total (mul $amount $factor) }}
{{- end }}
{{- $total }}
{{- end }}

{{/*
Fails unless leaseDuration > renewDeadline > 1.2 x retryPeriod > 0, client-go's rules, and unless a
renewInterval that is set lies between 0 and renewDeadline, as the app requires.
*/}}
{{- define "leader-election.checkTimings" -}}
{{- $e := .Values.election }}
{{- $lease := include "leader-election.durationMillis" $e.leaseDuration | int64 }}
{{- $renew := include "leader-election.durationMillis" $e.renewDeadline | int64 }}
{{- $retry := include "leader-election.durationMillis" $e.retryPeriod | int64 }}
{{- if le $retry 0 }}
{{- fail (printf "election.retryPeriod (%s) must be greater than 0" $e.retryPeriod) }}
{{- end }}
{{- if le $lease $renew }}
{{- fail (printf "election.leaseDuration (%s) must be greater than election.renewDeadline (%s)" $e.leaseDuration $e.renewDeadline) }}
{{- end }}
{{- if le (mul $renew 10) (mul $retry 12) }}
{{- fail (printf "election.renewDeadline (%s) must be greater than 1.2 x election.retryPeriod (%s)" $e.renewDeadline $e.retryPeriod) }}
{{- end }}
{{- if $e.renewInterval }}
{{- $interval := include "leader-election.durationMillis" $e.renewInterval | int64 }}
{{- if le $interval 0 }}
{{- fail (printf "election.renewInterval (%s) must be greater than 0: leave it empty for the app's default" $e.renewInterval) }}
{{- end }}
{{- if ge $interval $renew }}
{{- fail (printf "election.renewInterval (%s) must be shorter than election.renewDeadline (%s): lower it, or leave it empty for the app's default" $e.renewInterval $e.renewDeadline) }}
{{- end }}
{{- end }}
{{- end }}

{{/* True (non-empty) when the lock lives in etcd. */}}
{{- define "leader-election.etcd" -}}
{{- if eq .Values.lock.backend "etcd" }}true{{ end }}
{{- end }}

{{/* Where the etcd Secrets are mounted; the app reads these files. */}}
{{- define "leader-election.etcdTLSDir" -}}
/etc/leader-election/etcd-tls
{{- end }}
{{- define "leader-election.etcdAuthDir" -}}
/etc/leader-election/etcd-auth
{{- end }}

{{/*
The etcd members' client URLs, comma-separated as --etcd-endpoints takes them. Fails on settings that
cannot work together: TLS files with a plain http:// member, or a client certificate without its key.
*/}}
{{- define "leader-election.etcdEndpoints" -}}
{{- $etcd := .Values.etcd }}
{{- if not $etcd.endpoints }}
{{- fail "etcd.endpoints is empty: lock.backend=etcd needs the members' client URLs, e.g. --set 'etcd.endpoints={https://etcd-0.example.net:2379,https://etcd-1.example.net:2379}'" }}
{{- end }}
{{- if $etcd.tls.secretName }}
{{- range $etcd.endpoints }}
{{- if hasPrefix "http://" . }}
{{- fail (printf "etcd.endpoints has the plain http URL %s but etcd.tls.secretName is set: TLS needs https:// URLs (or leave etcd.tls.secretName empty)" .) }}
{{- end }}
{{- end }}
{{- if and $etcd.tls.certKey (not $etcd.tls.keyKey) }}
{{- fail "etcd.tls.certKey is set but etcd.tls.keyKey is empty: a client certificate needs its key (or empty both for none)" }}
{{- end }}
{{- if and $etcd.tls.keyKey (not $etcd.tls.certKey) }}
{{- fail "etcd.tls.keyKey is set but etcd.tls.certKey is empty: a client key needs its certificate (or empty both for none)" }}
{{- end }}
{{- if not (or $etcd.tls.caKey $etcd.tls.certKey) }}
{{- fail "etcd.tls.secretName is set but names no file: set etcd.tls.caKey, or certKey and keyKey, or leave secretName empty" }}
{{- end }}
{{- end }}
{{- join "," $etcd.endpoints }}
{{- end }}

// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import Foundation
import LeaderElection
import NIOSSL

/// Calls etcd's JSON gateway on a list of members: the member that answered last comes first, and a
/// call that fails on one member (refused, timed out, 5xx, no leader) goes on to the next. Holds the
/// authentication token, fetched on first use and again when etcd says it expired.
actor EtcdClient {
    /// A call's answer, and whether an earlier member may have applied the same request.
    struct Reply<Answer: Sendable>: Sendable {
        var answer: Answer
        var afterDoubt: Bool
    }

    let endpoints: [URL]
    let timeout: Duration
    let maxAnswerBytes: Int
    private let credentials: EtcdCredentials?
    private let tls: TLSConfiguration?
    private var preferred = 0
    /// The member whose answer the last call took; `nil` before any answered.
    private(set) var lastAnswered: URL?
    /// The token in use; `nil` before the first authentication or after etcd refused it.
    private var token: EtcdSecret?
    /// Set when etcd said authentication is off, so credentials are not sent for nothing.
    private var authenticationOff = false

    init(endpoints: [URL], timeout: Duration, maxAnswerBytes: Int, credentials: EtcdCredentials?, tls: TLSConfiguration?) {
        self.tls = tls
        self.endpoints = endpoints
        self.timeout = timeout
        self.maxAnswerBytes = maxAnswerBytes
        self.credentials = credentials
    }

    /// One outcome on one member.
    private enum Attempt<Answer: Sendable> {
        case answered(Answer)
        /// This member failed; `inDoubt` when it may have applied the request.
        case failed(String, inDoubt: Bool)
    }

    /// POSTs `request` to `path` on each member in turn until one answers; throws
    /// `ResourceLockError.permanent` for refused credentials or permissions, `EtcdError` when no member
    /// answered, and `CancellationError` at once when the task is cancelled.
    func call<Request: Encodable & Sendable, Answer: Decodable & Sendable>(
        _ path: String, _ request: Request, as: Answer.Type
    ) async throws -> Reply<Answer> {
        let body = try JSONEncoder().encode(request)
        var failures: [String] = []
        var inDoubt = false
        for step in 0..<endpoints.count {
            try Task.checkCancellation()
            let index = (preferred + step) % endpoints.count
            switch try await attempt(path, body, on: endpoints[index], as: Answer.self) {
            case .answered(let answer):
                preferred = index
                lastAnswered = endpoints[index]
                return Reply(answer: answer, afterDoubt: inDoubt)
            case .failed(let reason, let doubt):
                failures.append("\(endpoints[index].absoluteString): \(reason)")
                inDoubt = inDoubt || doubt
            }
        }
        preferred = (preferred + 1) % endpoints.count
        throw EtcdError(
            "no etcd member answered /\(path) (\(failures.joined(separator: "; "))): check that the members in the "
                + "endpoint list run and are reachable, and that the cluster has a leader",
            writeInDoubt: inDoubt)
    }

    /// The request on one member, authenticating first when needed and once more if the token expired.
    private func attempt<Answer: Decodable & Sendable>(
        _ path: String, _ body: Data, on endpoint: URL, as: Answer.Type
    ) async throws -> Attempt<Answer> {
        var refreshed = false
        while true {
            if credentials != nil, token == nil, !authenticationOff {
                if case .failed(let reason, _) = try await authenticate(on: endpoint) {
                    return .failed(reason, inDoubt: false)
                }
            }
            let answer: EtcdExchange.Answer
            do {
                answer = try await EtcdExchange.post(
                    endpoint.appendingPathComponent(path), body: body, authorization: token?.value,
                    timeout: timeout, maxAnswerBytes: maxAnswerBytes, tls: tls)
            } catch let failure as EtcdExchange.Failure {
                return describe(failure)
            }
            if answer.status == 200 {
                do {
                    return .answered(try JSONDecoder().decode(Answer.self, from: Data(answer.body)))
                } catch {
                    return .failed(
                        "answered 200 with a body that is not etcd's JSON: check that this is an etcd "
                            + "client URL (etcd 3.4 or newer)", inDoubt: true)
                }
            }
            let error = try? JSONDecoder().decode(EtcdErrorBody.self, from: Data(answer.body))
            let etcdMessage = scrub(error?.error ?? error?.message ?? "")
            // 16 UNAUTHENTICATED: the token expired or etcd restarted; a new one heals it once.
            if answer.status == 401 || error?.code == 16 {
                token = nil
                guard credentials != nil else {
                    throw ResourceLockError.permanent(
                        "etcd refused the request (\(etcdMessage)): it requires authentication, give an etcd user name and password"
                    )
                }
                if refreshed {
                    throw ResourceLockError.permanent(
                        "etcd refused a fresh token for user \(credentials?.username ?? "") (\(etcdMessage)): check the user and its roles"
                    )
                }
                refreshed = true
                continue
            }
            // Authentication was off when we asked and has been switched on since.
            if etcdMessage.contains("user name is empty"), credentials != nil, authenticationOff, !refreshed {
                authenticationOff = false
                refreshed = true
                continue
            }
            return try classify(status: answer.status, location: answer.location, code: error?.code, etcdMessage)
        }
    }

    /// Fetches a token; a refused name or password is permanent.
    private func authenticate(on endpoint: URL) async throws -> Attempt<Void> {
        guard let credentials else { return .answered(()) }
        let body = try JSONEncoder().encode(EtcdAuthenticateRequest(name: credentials.username, password: credentials.password))
        let answer: EtcdExchange.Answer
        do {
            answer = try await EtcdExchange.post(
                endpoint.appendingPathComponent("v3/auth/authenticate"), body: body, authorization: nil,
                timeout: timeout, maxAnswerBytes: maxAnswerBytes, tls: tls)
        } catch let failure as EtcdExchange.Failure {
            if case .failed(let reason, _) = describe(failure) as Attempt<Void> {
                return .failed("authenticating: \(reason)", inDoubt: false)
            }
            return .failed("authenticating failed", inDoubt: false)
        }
        if answer.status == 200 {
            guard let issued = try? JSONDecoder().decode(EtcdAuthenticateResponse.self, from: Data(answer.body)),
                let value = issued.token, !value.isEmpty
            else {
                return .failed(
                    "answered the authentication without a token: check that this is an etcd client URL", inDoubt: false)
            }
            token = EtcdSecret(value: value)
            return .answered(())
        }
        let error = try? JSONDecoder().decode(EtcdErrorBody.self, from: Data(answer.body))
        let etcdMessage = error?.error ?? error?.message ?? ""
        if etcdMessage.contains("authentication is not enabled") {
            authenticationOff = true
            return .answered(())
        }
        if etcdMessage.contains("authentication failed") {
            throw ResourceLockError.permanent(
                "etcd refused user \(credentials.username) (\(etcdMessage)): check the etcd user name and password")
        }
        let classified: Attempt<Void> = try classify(
            status: answer.status, location: answer.location, code: error?.code, etcdMessage)
        if case .failed(let reason, _) = classified { return .failed("authenticating: \(reason)", inDoubt: false) }
        return .failed("authenticating: answered \(answer.status)", inDoubt: false)
    }

    /// A failed exchange as a member's failure; a write may have landed unless nothing was sent.
    private func describe<Answer>(_ failure: EtcdExchange.Failure) -> Attempt<Answer> {
        switch failure {
        case .notSent(let reason): .failed(reason, inDoubt: false)
        case .unanswered(let reason): .failed(reason, inDoubt: true)
        case .tooLarge(let bound):
            .failed(
                "answered with more than \(bound) bytes, more than any answer about one key: "
                    + "check that this is an etcd client URL", inDoubt: true)
        }
    }

    /// An answer other than 200 or 401: permissions are permanent; a member without a leader, a 5xx
    /// or anything unexpected is this member's failure.
    private func classify<Answer>(status: Int, location: String?, code: Int?, _ etcdMessage: String) throws -> Attempt<Answer> {
        let said = etcdMessage.isEmpty ? "" : " (\(etcdMessage))"
        // 7 PERMISSION_DENIED; 3 INVALID_ARGUMENT "user name is empty": auth is on and no user was given.
        if status == 403 || code == 7 {
            throw ResourceLockError.permanent(
                "etcd denied \(credentials.map { "user \($0.username)" } ?? "the request")\(said): grant the user a role "
                    + "with readwrite permission on the lock's key prefix (etcdctl role grant-permission --prefix)")
        }
        if etcdMessage.contains("user name is empty") {
            throw ResourceLockError.permanent(
                "etcd has authentication enabled\(said): give an etcd user name and password")
        }
        if (300..<400).contains(status) {
            return .failed(
                "answered \(status), a redirect to \(location ?? "nowhere"), which is not followed: give the member's "
                    + "own client URL", inDoubt: false)
        }
        // 503 UNAVAILABLE (no leader, request timed out) and 504 may still be applied by Raft.
        if status >= 500 || code == 14 || code == 4 {
            return .failed("answered \(status)\(said)", inDoubt: true)
        }
        if status == 404 {
            return .failed(
                "answered 404: not etcd's v3 gateway; give an etcd 3.4+ client URL such as http://host:2379",
                inDoubt: false)
        }
        return .failed("answered \(status)\(said)", inDoubt: false)
    }

    private func scrub(_ text: String) -> String {
        token?.scrub(text) ?? text
    }
}
#endif

public import Foundation
import GitSmartHTTP

/// Where the git transport may send the token: the gist's `git_push_url` comes from the API's answer,
/// so an answer naming another host would otherwise collect the credentials.
public enum GitPushURLPolicy {
    /// Accepts `pushURL` only on the API's own scheme, host and port, or on `https://gist.github.com`
    /// when the API is `https://api.github.com`; throws a `GitProtocolError` naming it otherwise.
    public static func check(_ pushURL: URL, apiURL: URL) throws {
        guard let push = Endpoint(pushURL), let api = Endpoint(apiURL) else {
            throw GitProtocolError(.transport, "git_push_url \(shown(pushURL)) is not an http(s) URL with a host")
        }
        if push == api { return }
        let github = Endpoint(scheme: "https", host: "api.github.com", port: 443)
        if api == github, push == Endpoint(scheme: "https", host: "gist.github.com", port: 443) { return }
        throw GitProtocolError(
            .transport,
            "the gist's git_push_url \(shown(pushURL)) is not on the API's host \(api.scheme)://\(api.host):\(api.port), "
                + "so the token is not sent there: give a --github-api-url whose gists are pushed to its own host, "
                + "or pass --write-mode rest")
    }

    private struct Endpoint: Equatable {
        var scheme: String
        var host: String
        var port: Int

        init(scheme: String, host: String, port: Int) {
            self.scheme = scheme
            self.host = host
            self.port = port
        }

        init?(_ url: URL) {
            guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = url.host?.lowercased(), !host.isEmpty
            else { return nil }
            self.init(scheme: scheme, host: host, port: url.port ?? (scheme == "https" ? 443 : 80))
        }
    }

    /// The URL without user, password or query, which may hold credentials of their own.
    private static func shown(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<address>" }
        components.user = nil
        components.password = nil
        components.query = nil
        return components.string ?? "<address>"
    }
}

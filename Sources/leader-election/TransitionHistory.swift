import Foundation
import LeaderElection
#if canImport(FoundationNetworking)
import FoundationNetworking
import TextEscaping
#endif

/// The last changes of holder as a running copy saw them, read from its `/leader`: the lock's record
/// holds only the current holder, term and acquireTime, so the history lives in the copies' memory.
enum TransitionHistory {
    private struct LeaderAnswer: Decodable {
        var identity: String
        var transitions: [LeadershipTransition]?
    }

    /// The lines `status --endpoint URL` adds, or one line saying why there are none.
    static func lines(endpoint: String) async -> [String] {
        guard let url = URL(string: endpoint.hasSuffix("/") ? endpoint + "leader" : endpoint + "/leader"),
            url.scheme == "http" || url.scheme == "https"
        else {
            return [
                "history:  invalid --endpoint \(endpoint.escapedForLog(quoting: true)): give a URL such as http://127.0.0.1:8080"
            ]
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        do {
            let (data, _) = try await URLSession.shared.data(for: request)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let answer = try decoder.decode(LeaderAnswer.self, from: data)
            let seen = answer.transitions ?? []
            guard !seen.isEmpty else { return ["history:  none seen yet by \(answer.identity.escapedForLog(quoting: false))"] }
            return ["history:  as \(answer.identity.escapedForLog(quoting: false)) saw it, oldest first"]
                + seen.map {
                    "  \($0.seen.formatted(.iso8601))  term \($0.term)  \($0.holder.escapedForLog(quoting: false))"
                }
        } catch {
            return ["history:  cannot read \(url.absoluteString): \(error.localizedDescription)"]
        }
    }
}

import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
import TextEscaping
#endif

/// `leader-election handover`: asks the leader (through its HTTP endpoint) to stop its work and hand
/// the lease to another copy, or release it for any other copy.
struct HandoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handover",
        abstract: "Ask the leader to stop its work and hand the lease over, without waiting out a lease.",
        discussion: """
            Run it where the leader's endpoint answers from loopback, e.g.
            kubectl exec LEADER-POD -- leader-election handover --to stalin
            Exits 0 once the leader has stopped its work and written the record, 1 when the copy asked does
            not lead (it names the leader) or refused, 2 when its endpoint cannot be reached.
            """)

    @Option(
        help: "The identity (--id) of the copy that should lead next; without it the lease is released and another copy takes it."
    )
    var to: String?

    @Option(help: "The leader's HTTP endpoint (its --http address).")
    var endpoint = "http://127.0.0.1:8080"

    @Option(help: "How long to wait for the answer (the leader first waits for its work to stop).")
    var timeout: GoDuration = GoDuration(.seconds(60))

    func run() async throws {
        if let to, to.isEmpty || !to.isPrintable || to.count > 128 {
            fail("invalid --to: give the identity (--id) of a running copy, printable, at most 128 characters", code: 2)
        }
        guard var components = URLComponents(string: endpoint), let scheme = components.scheme,
            ["http", "https"].contains(scheme), components.host?.isEmpty == false
        else {
            fail(
                "invalid --endpoint \"\(endpoint.escapedForLog(quoting: true))\": give a URL such as http://127.0.0.1:8080",
                code: 2)
        }
        components.path = components.path.hasSuffix("/") ? components.path + "handover" : components.path + "/handover"
        components.queryItems = to.map { [URLQueryItem(name: "to", value: $0)] }
        guard let url = components.url else { fail("invalid --endpoint \(endpoint)", code: 2) }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        let (seconds, attoseconds) = timeout.duration.components
        request.timeoutInterval = max(Double(seconds) + Double(attoseconds) / 1e18, 1)
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            fail(
                "cannot reach the leader's endpoint \(endpoint): \(error.localizedDescription) "
                    + "(is the copy running with --http, and is this its address?)", code: 2)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let answer = try? JSONDecoder().decode(Answer.self, from: data)
        let message = (answer?.message ?? String(decoding: data.prefix(500), as: UTF8.self))
            .escapedForLog(quoting: false)
        guard status == 200, answer?.handedOver == true else {
            fail("handover refused (HTTP \(status)): \(message)", code: status == 0 ? 2 : 1)
        }
        print(message)
        if answer?.written == false { throw ExitCode(1) }
    }

    private struct Answer: Decodable {
        var handedOver: Bool
        var message: String
        var written: Bool?
    }

    private func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("leader-election handover: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

import Foundation
public import Hummingbird
import NIOCore

/// Routes that are not GitHub's, under `/_gist-server/`, for tests and chaos runs: the request tally
/// and fault injection. They bypass authentication, rate limits and the tally itself.
public struct AdminController: Sendable {
    let faults: FaultInjector
    let stats: RequestStats

    /// The routes, to be mounted at `/_gist-server`.
    public var endpoints: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.get("health") { _, _ in GitHubJSON.response(status: .ok, body: ["status": "ok"]) }
        routes.get("stats") { _, _ in GitHubJSON.response(status: .ok, body: await stats.report()) }
        routes.post("reset-stats") { _, _ in
            await stats.reset()
            return Response(status: .noContent)
        }
        routes.get("faults") { _, _ in GitHubJSON.response(status: .ok, body: await faults.list()) }
        routes.post("faults", use: addFaults)
        routes.delete("faults") { _, _ in
            await faults.clear()
            return Response(status: .noContent)
        }
        return routes
    }

    /// Accepts one fault object or an array of them; answers 201 with the faults now in force.
    @Sendable func addFaults(_ request: Request, context: GistRequestContext) async throws -> Response {
        let data = Data(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        let posted: [Fault]
        do {
            if let single = try? JSONDecoder().decode(Fault.self, from: data) {
                posted = [single]
            } else {
                posted = try JSONDecoder().decode([Fault].self, from: data)
            }
        } catch {
            return GitHubJSON.response(status: .badRequest, body: [
                "message": "a fault is a JSON object like {\"status\":503,\"count\":3,\"methods\":[\"PATCH\"],\"latencyMs\":200}",
            ])
        }
        if let problem = posted.compactMap(\.problem).first {
            return GitHubJSON.response(status: .unprocessableContent, body: ["message": "invalid fault: \(problem)"])
        }
        for fault in posted { await faults.add(fault) }
        return GitHubJSON.response(status: .created, body: await faults.list())
    }
}

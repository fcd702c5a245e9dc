import Foundation
public import Hummingbird
import NIOCore

/// Routes that are not GitHub's, under `/_gist-server/`, for tests and chaos runs: the request tally,
/// fault injection and raw edits of a file. They bypass authentication, rate limits and the tally itself.
public struct AdminController: Sendable {
    let faults: FaultInjector
    let stats: RequestStats
    let store: any GistStore
    /// Whether to serve more than `health`; anyone who reaches the others can rewrite any gist.
    let servesAll: Bool

    /// The routes, to be mounted at `/_gist-server`.
    public var endpoints: RouteCollection<GistRequestContext> {
        let routes = RouteCollection(context: GistRequestContext.self)
        routes.get("health") { _, _ in GitHubJSON.response(status: .ok, body: ["status": "ok"]) }
        guard servesAll else { return routes }
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
        routes.put("gists/:gist_id/files/:filename", use: replaceFile)
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
            return GitHubJSON.response(
                status: .badRequest,
                body: [
                    "message":
                        "a fault is a JSON object like {\"status\":503,\"count\":3,\"methods\":[\"PATCH\"],\"latencyMs\":200}"
                ])
        }
        if let problem = posted.compactMap(\.problem).first {
            return GitHubJSON.response(status: .unprocessableContent, body: ["message": "invalid fault: \(problem)"])
        }
        for fault in posted { await faults.add(fault) }
        return GitHubJSON.response(status: .created, body: await faults.list())
    }

    /// Replaces (or adds) one file with the raw request body, as its owner would, making a new
    /// revision: how a chaos run corrupts or truncates the lock behind the clients' backs.
    @Sendable func replaceFile(_ request: Request, context: GistRequestContext) async throws -> Response {
        let id = context.parameters.get("gist_id") ?? ""
        guard let name = context.parameters.get("filename")?.removingPercentEncoding, !name.isEmpty,
            let gist = try await store.gist(id: id)
        else {
            return GitHubJSON.response(status: .notFound, body: ["message": "no gist \(id) on this server"])
        }
        if let problem = GistFilename.problem(name) {
            throw GistFilename.refusal(name, problem: problem, documentationURL: GitHubAPIError.Docs.rest)
        }
        let content = String(decoding: try await request.body.collect(upTo: 32 << 20).readableBytesView, as: UTF8.self)
        let edit = GistEdit(files: [name: .update(content: content, filename: nil)])
        guard let updated = try await store.update(id: id, with: edit, by: gist.ownerLogin) else {
            return GitHubJSON.response(status: .notFound, body: ["message": "no gist \(id) on this server"])
        }
        return GitHubJSON.response(status: .ok, body: ["version": updated.latestVersion, "file": name])
    }
}

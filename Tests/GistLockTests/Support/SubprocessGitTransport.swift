import Testing
import Foundation
@testable import GistLock
@testable import GitSmartHTTP

/// A `GitTransport` that answers as `git http-backend` would, by running the real
/// `git upload-pack`/`receive-pack --stateless-rpc` on a local repository, so git checks every byte.
struct SubprocessGitTransport: GitTransport {
    let repository: URL
    /// Runs before each request is served, where a test acts as another writer would.
    var beforeServing: @Sendable (GitRequest) async throws -> Void = { _ in }
    /// An answer a test gives in git's place (nil: git answers).
    var answer: @Sendable (GitRequest) -> GitResponse? = { _ in nil }

    func send(_ request: GitRequest) async throws -> GitResponse {
        try await beforeServing(request)
        if let answer = answer(request) { return answer }
        let response: GitResponse
        switch (request.method, request.path) {
        case (.get, let path) where path.hasPrefix("info/refs?service=git-"):
            let service = String(path.dropFirst("info/refs?service=".count))
            let refs = try await GitCommand.run([
                String(service.dropFirst(4)), "--stateless-rpc", "--advertise-refs", repository.path,
            ])
            response = GitResponse(
                status: 200, headers: ["Content-Type": "application/x-\(service)-advertisement"],
                body: PktLine.encode("# service=\(service)\n") + PktLine.flushBytes + refs
            )
        case (.post, "git-upload-pack"), (.post, "git-receive-pack"):
            #expect(request.contentType == "application/x-\(request.path)-request")
            let body = try await GitCommand.run(
                [String(request.path.dropFirst(4)), "--stateless-rpc", repository.path], input: request.body)
            response = GitResponse(status: 200, headers: ["Content-Type": "application/x-\(request.path)-result"], body: body)
        default:
            response = GitResponse(status: 404, body: Array("Not Found".utf8))
        }
        return response
    }
}

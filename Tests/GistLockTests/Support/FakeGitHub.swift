import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// A request as the fake server received it; header names are lower-case.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: [UInt8]

    /// The PATCH or POST body's `files` object, by file name.
    var files: [String: Any] {
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return object?["files"] as? [String: Any] ?? [:]
    }
}

/// An answer the fake sends verbatim, instead of acting on the request.
struct Reply: Sendable {
    var status: Int
    var headers: [String: String] = [:]
    var body: String = ""
    /// The server holds the answer until `FakeGitHub.releaseHeld()` (or the end of `withFakeGitHub`):
    /// an answer that never comes while the test looks, with no time to wait out.
    var held = false

    /// GitHub's error body shape, `{"message", "documentation_url"}`.
    static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> Reply {
        Reply(
            status: status, headers: headers.merging(["content-type": "application/json; charset=utf-8"]) { a, _ in a },
            body: #"{"message":"\#(message)","documentation_url":"https://docs.github.com/rest"}"#)
    }
}

/// One gist served the way GitHub serves it (ETag, 304, Cache-Control max-age=60, PATCH merging only
/// the named files), plus a queue of scripted replies that take precedence, for failures.
actor FakeGitHub {
    let gistID: String
    private(set) var files: [String: String]
    private(set) var truncatedFiles: Set<String> = []
    private(set) var gistExists = true
    private(set) var revision = 1
    private(set) var requests: [RecordedRequest] = []
    private(set) var unexpected: [String] = []
    private var scripted: [Reply] = []
    /// Runs after each PATCH is applied, as another writer striking right after ours would.
    private var afterPatch: (@Sendable (FakeGitHub) async -> Void)?
    /// Sent instead of the normal answer to the next PATCH, which is applied all the same: a write
    /// that landed although its answer says otherwise.
    private var nextPatchAnswer: Reply?

    init(gistID: String = "aa5a315d61ae9438b18d", files: [String: String] = [:]) {
        self.gistID = gistID
        self.files = files
    }

    private var released = false
    private var holding: [CheckedContinuation<Void, Never>] = []
    private var arrivals: [(count: Int, waiter: CheckedContinuation<Void, Never>)] = []

    func script(_ replies: Reply...) { scripted += replies }

    /// Returns once the fake has received `count` requests in all: the event itself, not a poll.
    func waitForRequests(_ count: Int) async {
        if requests.count >= count { return }
        await withCheckedContinuation { arrivals.append((count, $0)) }
    }

    /// Waits until `releaseHeld()` unless it already ran.
    func hold() async {
        if released { return }
        await withCheckedContinuation { holding.append($0) }
    }

    /// Lets every held answer go, and any later one at once.
    func releaseHeld() {
        released = true
        for waiter in holding { waiter.resume() }
        holding = []
    }
    func setFile(_ name: String, _ content: String?) {
        files[name] = content
        revision += 1
    }
    func setTruncated(_ name: String) { truncatedFiles.insert(name) }
    func deleteGist() { gistExists = false }
    func onPatch(_ action: (@Sendable (FakeGitHub) async -> Void)?) { afterPatch = action }
    func answerNextPatch(with reply: Reply) { nextPatchAnswer = reply }
    var requestLines: [String] { requests.map { "\($0.method) \($0.path)" } }

    var etag: String { #"W/"rev-\#(revision)""# }

    func handle(_ request: RecordedRequest) async -> Reply {
        requests.append(request)
        let (due, waiting) = (arrivals.filter { $0.count <= requests.count }, arrivals.filter { $0.count > requests.count })
        arrivals = waiting
        for arrival in due { arrival.waiter.resume() }
        if !scripted.isEmpty { return scripted.removeFirst() }
        switch (request.method, request.path) {
        case ("GET", "/gists/\(gistID)"):
            guard gistExists else { return .error(404, "Not Found") }
            if request.headers["if-none-match"] == etag {
                return Reply(status: 304, headers: ["etag": etag, "cache-control": "private, max-age=60, s-maxage=60"])
            }
            return Reply(status: 200, headers: gistHeaders, body: gistJSON())
        case ("PATCH", "/gists/\(gistID)"):
            guard gistExists else { return .error(404, "Not Found") }
            for (name, value) in request.files {
                files[name] = (value as? [String: Any])?["content"] as? String
            }
            revision += 1
            var reply = Reply(status: 200, headers: gistHeaders, body: gistJSON())
            if let answer = nextPatchAnswer {
                nextPatchAnswer = nil
                reply = answer
            }
            if let afterPatch { await afterPatch(self) }
            return reply
        case ("POST", "/gists"):
            for (name, value) in request.files {
                files[name] = (value as? [String: Any])?["content"] as? String
            }
            return Reply(status: 201, headers: gistHeaders, body: gistJSON())
        default:
            unexpected.append("\(request.method) \(request.path)")
            return .error(404, "Not Found")
        }
    }

    private var gistHeaders: [String: String] {
        [
            "content-type": "application/json; charset=utf-8", "etag": etag,
            "cache-control": "private, max-age=60, s-maxage=60",
            "last-modified": "Fri, 21 Nov 2025 10:00:00 GMT",
            "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4990", "x-ratelimit-used": "10",
            "x-ratelimit-reset": "1763719200", "x-ratelimit-resource": "core",
        ]
    }

    private func gistJSON() -> String {
        var fileObjects: [String: Any] = [:]
        for (name, content) in files {
            fileObjects[name] =
                [
                    "filename": name, "type": "text/plain", "language": NSNull(), "size": content.utf8.count,
                    "raw_url": "https://gist.githubusercontent.com/monalisa/\(gistID)/raw/\(revision)/\(name)",
                    "truncated": truncatedFiles.contains(name), "content": content, "encoding": "utf-8",
                ] as [String: Any]
        }
        let gist: [String: Any] = [
            "url": "https://api.github.com/gists/\(gistID)", "id": gistID, "node_id": "G_kw",
            "html_url": "https://gist.github.com/\(gistID)", "files": fileObjects, "public": false,
            "created_at": "2025-11-21T10:00:00Z", "updated_at": "2025-11-21T10:00:00Z",
            "description": "multi-cluster leader election", "comments": 0, "user": NSNull(),
            "history": [["version": "v\(revision)", "committed_at": "2025-11-21T10:00:00Z"]],
            "truncated": false,
        ]
        let data = try! JSONSerialization.data(withJSONObject: gist, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

/// Serves `fake` on 127.0.0.1 at a free port and runs `body` with the server's base URL; afterwards
/// fails the test if the fake received a request it does not serve.
@discardableResult
func withFakeGitHub<T>(
    _ fake: FakeGitHub, _ body: @Sendable (URL) async throws -> T
) async throws -> T where T: Sendable {
    let responder = CallbackResponder<BasicRequestContext> { request, _ in
        var buffer = try await request.body.collect(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let recorded = RecordedRequest(
            method: request.method.rawValue, path: request.uri.path, headers: headers,
            body: buffer.readBytes(length: buffer.readableBytes) ?? [])
        let reply = await fake.handle(recorded)
        if reply.held { await fake.hold() }
        var fields = HTTPFields()
        for (name, value) in reply.headers { fields[HTTPField.Name(name)!] = value }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
    }
    var logger = Logger(label: "fake-github")
    logger.logLevel = .critical
    let app = Application(
        responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    let result = try await app.test(.live) { client in
        // Held answers go before the server shuts down, which waits for every request in flight.
        do {
            let value = try await body(URL(string: "http://127.0.0.1:\(client.port!)")!)
            await fake.releaseHeld()
            return value
        } catch {
            await fake.releaseHeld()
            throw error
        }
    }
    for line in await fake.unexpected { Issue.record("the fake GitHub got an unexpected request: \(line)") }
    return result
}

import Foundation
import GistLock
@testable import GitSmartHTTP
import Testing

/// Live: the client's own request timeout and its cancellation run on the real clock inside
/// URLSession, which no injected clock reaches. The fake holds its answer until the test ends, so
/// nothing races it: the timeout is the only thing that can end the first request, and the
/// cancellation the only thing that can end the second.
@Suite("GistClient's timeout and cancellation over a live socket")
struct GistClientLiveTests {
    @Test func aSilentServerTimesOut() async throws {
        let fake = FakeGitHub(files: ["a.lock": "x"])
        await fake.script(Reply(status: 200, held: true))
        try await withFakeGitHub(fake) { url in
            let error = await gitHubError { _ = try await makeClient(url, timeout: .milliseconds(300)).getGist(gistID) }
            #expect(error?.code == .transport)
            #expect(error?.description.contains("no answer within the timeout") == true, "\(String(describing: error))")
        }
    }

    @Test func cancellingEndsARequestInFlightBeforeAnyAnswer() async throws {
        let fake = FakeGitHub(files: ["a.lock": "x"])
        await fake.script(Reply(status: 200, held: true))
        try await withFakeGitHub(fake) { url in
            // A timeout far past the test's own time limit: only the cancellation can end this read.
            let client = makeClient(url, timeout: .seconds(600))
            let read = Task { try await client.getGist(gistID) }
            await fake.waitForRequests(1)
            read.cancel()
            await #expect(throws: CancellationError.self) { _ = try await read.value }
        }
    }
}

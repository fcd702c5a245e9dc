import Foundation
import GistLock
@testable import GitSmartHTTP
import Testing

@Suite struct RateLimitOverviewTests {
    @Test func readsTheCoreBudgetAndSendsTheChosenVersion() async throws {
        let fake = FakeGitHub()
        await fake.script(
            Reply(
                status: 200, headers: ["content-type": "application/json; charset=utf-8"],
                body: #"{"resources":{"core":{"limit":5000,"used":7,"remaining":4993,"reset":1763722800},"#
                    + #""search":{"limit":30,"used":0,"remaining":30,"reset":1763719260}}}"#))
        let overview = try await withFakeGitHub(fake) { url in
            try await GistClient(apiURL: url, token: testToken, userAgent: "tests", apiVersion: "2022-11-28")
                .rateLimitOverview()
        }
        #expect(overview.core?.remaining == 4993)
        #expect(overview.core?.used == 7)
        #expect(overview.core?.reset == Date(timeIntervalSince1970: 1_763_722_800))
        #expect(overview.resources["search"]?.limit == 30)
        let request = try #require(await fake.requests.first)
        #expect("\(request.method) \(request.path)" == "GET /rate_limit")
        #expect(request.headers["x-github-api-version"] == "2022-11-28")
    }

    @Test func anErrorAnswerIsAGitHubErrorWithoutTheToken() async throws {
        let fake = FakeGitHub()
        await fake.script(.error(401, "Bad credentials \(testToken)"))
        let error = await gitHubError {
            try await withFakeGitHub(fake) { url in _ = try await makeClient(url).rateLimitOverview() }
        }
        #expect(error?.status == 401)
        #expect(error?.message.contains(testToken) == false)
    }
}

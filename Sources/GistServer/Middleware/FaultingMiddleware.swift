import Hummingbird

/// What the REST and the git middleware share: the tokens that name a request's caller, the faults
/// to inject, the tally, the clock delays wait on, and the largest body a delayed request buffers.
struct FaultingParts: Sendable {
    let tokens: [String: AccessToken]
    let faults: FaultInjector
    let stats: RequestStats
    let clock: any Clock<Duration>
    let maxRequestBodySize: Int
}

/// What the REST and the git middleware do alike around a route: take the request's injected fault,
/// answer a blackhole, wait out a latency before handling, tally the answer and hold it for a
/// response delay. Each says in `respond` what happens between.
protocol FaultingMiddleware: RouterMiddleware where Context == GistRequestContext {
    var parts: FaultingParts { get }

    /// The answer to a request that no blackhole took, once its latency has passed, and the route it is
    /// tallied under. It never throws: every failure becomes an answer, so that the tally sees the
    /// status the client saw.
    func respond(
        _ request: Request, context: Context, credential: Credential, fault: Fault?,
        next: (Request, Context) async throws -> Response
    ) async -> (response: Response, route: String)
}

extension FaultingMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let credential = Credential(request.headers[.authorization], tokens: parts.tokens)
        let fault = await parts.faults.take(for: FaultTarget(request, credential: credential, context: context))
        if let fault, let mode = fault.blackhole {
            await parts.stats.record(
                .init(method: request.method.rawValue, route: "blackhole", status: 0, token: credential.label))
            return await blackhole(mode, holdMs: fault.latencyMs, context: context)
        }
        var request = request
        if let latency = fault?.latencyMs, latency > 0 {
            // Buffered first, so a delayed write still lands after its client hung up.
            _ = try? await request.collectBody(upTo: parts.maxRequestBodySize)
            try? await parts.clock.sleep(for: .milliseconds(latency))
        }
        let (response, route) = await respond(request, context: context, credential: credential, fault: fault, next: next)
        await parts.stats.record(
            .init(method: request.method.rawValue, route: route, status: response.status.code, token: credential.label))
        if let delay = fault?.responseDelayMs, delay > 0 {
            // The request was handled already: a write has landed whether or not the client waits this out.
            try? await parts.clock.sleep(for: .milliseconds(delay))
        }
        return response
    }
}

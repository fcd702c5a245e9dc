import Hummingbird

/// What the REST and the git middleware do alike around a route: take the request's injected fault,
/// answer a blackhole, wait out a latency before handling, tally the answer and hold it for a
/// response delay.
protocol FaultingMiddleware {
    var faults: FaultInjector { get }
    var stats: RequestStats { get }
    var clock: any Clock<Duration> { get }
    /// Largest body a delayed request buffers before it waits.
    var maxRequestBodySize: Int { get }
}

extension FaultingMiddleware {
    /// The request's fault, and the answer when it is a blackhole (tallied as the route "blackhole").
    func takeFault(_ request: Request, credential: Credential, context: GistRequestContext) async
        -> (fault: Fault?, blackholed: Response?)
    {
        let fault = await faults.take(for: FaultTarget(request, credential: credential, context: context))
        guard let fault, let mode = fault.blackhole else { return (fault, nil) }
        await stats.record(.init(method: request.method.rawValue, route: "blackhole", status: 0, token: credential.label))
        return (fault, await blackhole(mode, holdMs: fault.latencyMs, context: context))
    }

    /// Waits out the fault's latency before the request is handled; the body is buffered first, so a
    /// delayed write still lands after its client hung up.
    func delayBeforeHandling(_ request: inout Request, fault: Fault?) async {
        guard let latency = fault?.latencyMs, latency > 0 else { return }
        _ = try? await request.collectBody(upTo: maxRequestBodySize)
        try? await clock.sleep(for: .milliseconds(latency))
    }

    /// Tallies the answer under `route`, then holds it for the fault's response delay: the request was
    /// handled already, so a write has landed whether or not the client waits this out.
    func tallied(_ response: Response, _ request: Request, route: String, credential: Credential, fault: Fault?) async
        -> Response
    {
        await stats.record(
            .init(method: request.method.rawValue, route: route, status: response.status.code, token: credential.label))
        if let delay = fault?.responseDelayMs, delay > 0 {
            try? await clock.sleep(for: .milliseconds(delay))
        }
        return response
    }
}

import Foundation
import Hummingbird
import LeaderElection
import NIOCore
import TextEscaping

/// What the handover route needs from the elector; a protocol so tests can answer as they please.
protocol HandoverSource: Sendable {
    func handOver(to target: String?) async throws -> Handover
}

extension LeaderElector: HandoverSource {}

/// The endpoint's request context: the basic one plus the peer's address, which the handover route
/// checks.
struct EndpointContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// `POST /handover[?to=ID]`: the leader stops its work and hands the lease to `to`, or releases it for
/// another copy. Answers only peers on loopback unless `allowRemote`.
struct HandoverRoute<Source: HandoverSource> {
    let source: Source
    var allowRemote = false

    /// The answer, as JSON: what happened, or why not.
    struct Answer: Encodable {
        var handedOver: Bool
        var target: String?
        var term: Int?
        var written: Bool?
        var leader: String?
        var message: String
    }

    func addRoute<Context: RemoteAddressRequestContext>(to router: Router<Context>) {
        router.post("/handover") { [source, allowRemote] request, context in
            guard allowRemote || Self.isLoopback(context.remoteAddress) else {
                return try Self.answer(
                    .forbidden,
                    .init(
                        handedOver: false,
                        message: "handover is answered only from loopback (e.g. kubectl exec ... -- leader-election handover); "
                            + "start with --allow-remote-handover to accept it from elsewhere"))
            }
            let target = request.uri.queryParameters.get("to")
            if let target, !target.isPrintable || target.count > 128 {
                return try Self.answer(
                    .badRequest,
                    .init(
                        handedOver: false,
                        message: "invalid target: give the identity (--id) of a running copy, printable, at most 128 characters"))
            }
            do {
                let handover = try await source.handOver(to: target)
                return try Self.answer(
                    .ok,
                    .init(
                        handedOver: true, target: handover.target, term: handover.term, written: handover.written,
                        message: Self.describe(handover)))
            } catch let error as HandoverError {
                switch error.code {
                case .notLeader:
                    return try Self.answer(
                        .conflict, .init(handedOver: false, leader: error.leader ?? "", message: error.description))
                case .underWay:
                    return try Self.answer(.conflict, .init(handedOver: false, message: error.description))
                case .toSelf, .emptyTarget:
                    return try Self.answer(.badRequest, .init(handedOver: false, message: error.description))
                default:  // .leadershipEnded
                    return try Self.answer(.serviceUnavailable, .init(handedOver: false, message: error.description))
                }
            }
        }
    }

    static func describe(_ handover: Handover) -> String {
        let stopped = "stopped leading term \(handover.term)"
        guard handover.written else {
            return "\(stopped), but the lease could not be handed over (\(handover.problem ?? "unknown")): "
                + "it runs out as after a crash"
        }
        if let target = handover.target {
            return "\(stopped) and handed the lease to \(target): it takes it with a new term at its next attempt "
                + "(if it is not running, the lease runs out)"
        }
        return "\(stopped) and released the lease: another copy takes it with a new term at its next attempt"
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        switch address {
        case .v4(let v4): v4.host.hasPrefix("127.")
        case .v6(let v6): v6.host == "::1" || v6.host.hasPrefix("::ffff:127.")
        case .unixDomainSocket: true
        default: false
        }
    }

    static func answer(_ status: HTTPResponse.Status, _ answer: Answer) throws -> Response {
        var body = try JSONEncoder.app.encode(answer)
        body.append(0x0A)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

// Only in builds with the Etcd trait (the default; see Package.swift).
#if Etcd
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP exchange with a member, through AsyncHTTPClient: bounded answer, no redirect followed,
/// nothing cached, its own timeout, and cancellation honoured.
///
/// Not URLSession: etcd 3.4's gateway answers every error (a wrong password, no leader) in chunks
/// ending with an HTTP trailer, and FoundationNetworking on Linux stops the process on such an answer
/// ("Transfer completed, but there's no response"); it also has no API for a CA of one's own or a
/// client certificate. AsyncHTTPClient and swift-nio-ssl are in the build already (HummingbirdTesting).
/// A client per exchange: `ResourceLock` has no close, and one request every few seconds does not need
/// a connection pool.
enum EtcdExchange {
    /// What arrived: the status and the body.
    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]
        var location: String?
    }

    enum Failure: Error {
        /// No connection was made, so the request was never sent.
        case notSent(String)
        /// The request may have reached the member; no (complete) answer came.
        case unanswered(String)
        /// The answer was larger than the bound.
        case tooLarge(Int)
    }

    /// POSTs `body` to `url`, ending after `timeout` or on cancellation (then `CancellationError`).
    static func post(
        _ url: URL, body: Data, authorization: String?, timeout: Duration, maxAnswerBytes: Int,
        tls: TLSConfiguration?
    ) async throws -> Answer {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(timeout), read: TimeAmount(timeout)))
        configuration.httpVersion = .http1Only
        // A refused connection is this member's failure at once; the next member is the retry.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        do {
            let answer = try await withThrowingTaskGroup(of: Answer.self) { group in
                group.addTask {
                    try await exchange(client, url, body, authorization, timeout, maxAnswerBytes)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw Failure.unanswered("no answer within \(timeout)")
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw CancellationError() }
                return first
            }
            try? await client.shutdown()
            return answer
        } catch {
            try? await client.shutdown()
            if Task.isCancelled { throw CancellationError() }
            throw classify(error)
        }
    }

    private static func exchange(
        _ client: HTTPClient, _ url: URL, _ body: Data, _ authorization: String?, _ timeout: Duration,
        _ maxAnswerBytes: Int
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: TimeAmount(timeout))
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxAnswerBytes {
            throw Failure.tooLarge(maxAnswerBytes)
        }
        var buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: maxAnswerBytes)
        } catch is NIOTooManyBytesError {
            throw Failure.tooLarge(maxAnswerBytes)
        }
        return Answer(
            status: Int(response.status.code), body: buffer.readBytes(length: buffer.readableBytes) ?? [],
            location: response.headers.first(name: "Location"))
    }

    /// Failures before a connection exists cannot have delivered the request.
    private static func classify(_ error: any Error) -> any Error {
        switch error {
        case is Failure, is CancellationError:
            return error
        case is NIOConnectionError, is NIOSSLError:
            return Failure.notSent("cannot connect: \(error)")
        case ChannelError.connectTimeout:
            return Failure.notSent("cannot connect within the timeout")
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .tlsHandshakeTimeout:
                return Failure.notSent("cannot connect within the timeout")
            case .deadlineExceeded, .readTimeout:
                return Failure.unanswered("no answer within the timeout")
            default:
                return Failure.unanswered("\(error)")
            }
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return Failure.notSent("connection refused")
        default:
            return Failure.unanswered("\(error)")
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
#endif

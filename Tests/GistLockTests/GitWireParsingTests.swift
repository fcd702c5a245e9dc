import Foundation
import Testing
@testable import GistLock
@testable import GitSmartHTTP

@Suite struct GitWireParsingTests {
    static let id = "3f1b5a2e7c9d0b4a6e8f1c2d3b4a5e6f7a8b9c0d"

    @Test func parsesReceivePackAdvertisementAsHttpBackendServesIt() throws {
        let body =
            PktLine.encode("# service=git-receive-pack\n") + PktLine.flushBytes
            + PktLine.encode(
                Array("\(Self.id) refs/heads/main".utf8) + [0]
                    + Array("report-status delete-refs side-band-64k quiet atomic ofs-delta agent=git/2.39.5\n".utf8))
            + PktLine.encode("\(Self.id) refs/heads/other\n") + PktLine.flushBytes
        let advertisement = try RefAdvertisement(parsing: body, service: "git-receive-pack")
        #expect(advertisement.head(ofBranch: "main")?.hex == Self.id)
        #expect(advertisement.refs.count == 2)
        #expect(advertisement.capabilities.isSuperset(of: ["report-status", "side-band-64k", "atomic", "agent=git/2.39.5"]))
    }

    @Test func emptyRepositoryHasCapabilitiesButNoRefs() throws {
        let body =
            PktLine.encode("# service=git-receive-pack\n") + PktLine.flushBytes
            + PktLine.encode(Array("\(GitObjectID.zero.hex) capabilities^{}".utf8) + [0] + Array("report-status\n".utf8))
            + PktLine.flushBytes
        let advertisement = try RefAdvertisement(parsing: body, service: "git-receive-pack")
        #expect(advertisement.refs.isEmpty)
        #expect(advertisement.capabilities == ["report-status"])
    }

    @Test func wrongServiceIsNamed() {
        let body = PktLine.encode("# service=git-upload-pack\n") + PktLine.flushBytes
        #expect(
            throws: GitProtocolError(
                .advertisement, "the server announced \"# service=git-upload-pack\", not \"# service=git-receive-pack\"")
        ) {
            try RefAdvertisement(parsing: body, service: "git-receive-pack")
        }
    }

    @Test func protocolVersionTwoIsRefusedByName() {
        let body =
            PktLine.encode("# service=git-upload-pack\n") + PktLine.flushBytes + PktLine.encode("version 2\n")
            + PktLine.flushBytes
        #expect(
            throws: GitProtocolError(
                .advertisement, "the server answered with protocol \"version 2\"; only protocol v0/v1 is spoken here")
        ) {
            try RefAdvertisement(parsing: body, service: "git-upload-pack")
        }
    }

    @Test func reportStatusKeepsGitsReasons() throws {
        let body =
            PktLine.encode("unpack ok\n") + PktLine.encode("ok refs/heads/main\n")
            + PktLine.encode("ng refs/heads/other failed to update ref\n") + PktLine.flushBytes
        let report = try ReceivePackReport(parsing: body)
        #expect(report.unpackError == nil)
        #expect(report.refs == ["refs/heads/main": .ok, "refs/heads/other": .rejected(reason: "failed to update ref")])
    }

    @Test func transportSendsTheTokenOnlyOverHTTPS() throws {
        #expect(
            throws: GitProtocolError(
                .transport,
                "http://gist.github.com/abc.git is not HTTPS; the token is sent only over HTTPS (plain http only to a loopback host or to the host of a plain-http --github-api-url)"
            )
        ) {
            try URLSessionGitTransport.gist(repository: URL(string: "http://gist.github.com/abc.git")!, token: "ghp_secret")
        }
        // Another host than the plain-http API's is still refused.
        #expect(throws: GitProtocolError.self) {
            try URLSessionGitTransport.gist(
                repository: URL(string: "http://gist.github.com/abc.git")!, token: "ghp_secret", plainHTTPHost: "10.0.0.1")
        }
        _ = try URLSessionGitTransport.gist(
            repository: URL(string: "http://10.0.0.1:8787/abc.git")!, token: "ghp_secret", plainHTTPHost: "10.0.0.1")
        _ = try URLSessionGitTransport.gist(repository: URL(string: "https://gist.github.com/abc.git")!, token: "ghp_secret")
        _ = try URLSessionGitTransport.gist(repository: URL(string: "http://127.0.0.1:8080/abc.git")!, token: "ghp_secret")
        _ = try URLSessionGitTransport.gist(repository: URL(string: "http://localhost:8080/abc.git")!, token: "ghp_secret")
    }

    @Test func transportNeverShowsTheToken() throws {
        let transport = try URLSessionGitTransport.gist(
            repository: URL(string: "https://gist.github.com/abc.git")!, token: "ghp_secret")
        #expect(!String(describing: transport).contains("ghp_secret"))
        #expect(!String(reflecting: transport).contains("ghp_secret"))
        var dumped = ""
        dump(transport, to: &dumped)
        #expect(!dumped.contains("ghp_secret"))
    }
}

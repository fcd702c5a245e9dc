import Foundation
import GistServer
import Testing

@Suite("Tokens, configuration and errors")
struct SupportingTypesTests {
    @Test("a token file holds one token a line; blank lines and # comments are skipped")
    func tokenFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("# tokens for the demo\n  first  \n\nsecond\r\n#third\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try AccessToken.values(fromFile: path) == ["first", "second"])
    }

    @Test("an unreadable token file is a clear error")
    func missingTokenFile() throws {
        let error = try #require(throws: GistServerError.self) { try AccessToken.values(fromFile: "/nonexistent/tokens") }
        #expect(error.code == .unreadableTokenFile)
        #expect(
            error.description
                == "cannot read token file /nonexistent/tokens (no such file); give a readable file with one token per line")
    }

    @Test("a token's description shows its label, never its value")
    func tokenNeverPrinted() {
        let token = AccessToken(value: "ghp_secretvalue", label: "token-1")
        #expect(!"\(token)".contains("ghp_secretvalue"))
        #expect("\(token)".contains("token-1"))
    }

    enum BadSetting: String, CaseIterable, Sendable {
        case port, duplicateLabel, whitespaceToken, zeroLimit, oddStatus

        /// A word the error must contain.
        var words: String {
            switch self {
            case .port: "port 70000"
            case .duplicateLabel: "unique"
            case .whitespaceToken: "whitespace"
            case .zeroLimit: "positive"
            case .oddStatus: "403 or 429"
            }
        }

        func apply(to configuration: inout GistServerConfiguration) {
            switch self {
            case .port: configuration.port = 70000
            case .duplicateLabel: configuration.tokens = [.init(value: "a", label: "x"), .init(value: "b", label: "x")]
            case .whitespaceToken: configuration.tokens = [.init(value: "a b", label: "x")]
            case .zeroLimit: configuration.rateLimits.authenticatedLimit = 0
            case .oddStatus: configuration.rateLimits.exceededStatus = 500
            }
        }
    }

    @Test("invalid settings are refused with the setting named", arguments: BadSetting.allCases)
    func invalidConfiguration(_ setting: BadSetting) throws {
        var configuration = GistServerConfiguration()
        setting.apply(to: &configuration)
        let error = try #require(throws: GistServerError.self) { try configuration.validate() }
        #expect(error.code == .invalidConfiguration)
        #expect(error.description.contains(setting.words))
    }

    @Test("a port in use is explained with the fix")
    func portInUse() {
        struct BindFailure: Error, CustomStringConvertible {
            var description: String { "bind(descriptor:ptr:bytes:): Address already in use (errno: 98)" }
        }
        let error = GistServerError.cannotListen(host: "127.0.0.1", port: 8787, underlying: BindFailure())
        #expect(
            error.description
                == "cannot listen on 127.0.0.1:8787: address already in use; stop the process using it or choose another --port (0 picks a free one)"
        )
    }
}

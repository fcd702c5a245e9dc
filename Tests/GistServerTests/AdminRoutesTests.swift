import Foundation
import GistServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Admin routes only on loopback unless asked for")
struct AdminRoutesTests {
    private static let fault = #"{"status":503,"methods":["GET"]}"#

    private func answers(host: String, expose: Bool) async throws -> (health: Int, faults: Int, put: Int) {
        let fixture = try GistServerFixture { configuration in
            configuration.host = host
            configuration.exposeAdminRoutes = expose
        }
        return try await fixture.test { client in
            let created = try await client.createGist(["lock.lock": "{}"])
            let id = try #require(created["id"] as? String)
            let health = try await client.execute(uri: "/_gist-server/health", method: .get, headers: GistServerFixture.headers())
            let faults = try await client.execute(
                uri: "/_gist-server/faults", method: .post, headers: GistServerFixture.headers(),
                body: ByteBuffer(string: Self.fault))
            _ = try await client.execute(uri: "/_gist-server/faults", method: .delete, headers: GistServerFixture.headers())
            let put = try await client.execute(
                uri: "/_gist-server/gists/\(id)/files/lock.lock", method: .put, headers: GistServerFixture.headers(),
                body: ByteBuffer(string: "garbage"))
            return (Int(health.status.code), Int(faults.status.code), Int(put.status.code))
        }
    }

    @Test("on loopback every admin route is served", arguments: ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
    func loopback(_ host: String) async throws {
        let result = try await answers(host: host, expose: false)
        #expect(result.health == 200 && result.faults == 201 && result.put == 200)
    }

    @Test("on any other address only health is served", arguments: ["0.0.0.0", "::", "10.1.2.3", "192.168.0.7"])
    func elsewhere(_ host: String) async throws {
        let result = try await answers(host: host, expose: false)
        #expect(result.health == 200)
        #expect(result.faults == 404)
        #expect(result.put == 404)
    }

    @Test("--expose-admin-routes serves them on any address")
    func exposed() async throws {
        let result = try await answers(host: "0.0.0.0", expose: true)
        #expect(result.health == 200 && result.faults == 201 && result.put == 200)
    }

    @Test("loopback addresses are told from the others")
    func loopbackAddresses() {
        for host in ["127.0.0.1", "127.255.0.9", "localhost", "LOCALHOST", "::1", "[::1]"] {
            #expect(GistServerConfiguration.isLoopback(host), "\(host)")
        }
        for host in ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.1.evil", "localhost.example", "example.com"] {
            #expect(!GistServerConfiguration.isLoopback(host), "\(host)")
        }
    }
}

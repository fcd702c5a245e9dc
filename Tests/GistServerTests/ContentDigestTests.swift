@testable import GistServer
import Testing

@Suite("SHA-1 of versions and ETags")
struct ContentDigestTests {
    @Test(
        "matches the FIPS 180 test vectors",
        arguments: [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
        ])
    func vectors(_ input: String, _ expected: String) {
        #expect(ContentDigest.sha1Hex(input) == expected)
    }
}

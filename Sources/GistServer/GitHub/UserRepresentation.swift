import Foundation

extension GistRepresentation {
    /// Every account here was "created" at this instant (2022-11-28T00:00:00Z): the server has no
    /// sign-up, and a fixed date keeps user bodies, and so their ETags, stable.
    static let accountCreatedAt = Date(timeIntervalSince1970: 1_669_593_600)

    /// `public-user` for a login, with its gist counts.
    func publicUser(_ login: String, publicGists: Int = 0) -> PublicUserBody {
        PublicUserBody(simple: user(login), public_gists: publicGists, created_at: Self.accountCreatedAt, private: nil)
    }

    /// `private-user`, what `GET /user` shows the token's owner.
    func privateUser(_ login: String, publicGists: Int, privateGists: Int) -> PublicUserBody {
        PublicUserBody(
            simple: user(login), public_gists: publicGists, created_at: Self.accountCreatedAt,
            private: .init(private_gists: privateGists))
    }
}

/// `public-user`, or `private-user` when `private` is set. The profile fields GitHub lets a user
/// leave empty (name, company, ...) are `null`, and there are no repositories or followers here.
struct PublicUserBody: Encodable {
    /// The fields only the account's owner sees.
    struct PrivateFields: Encodable {
        let private_gists: Int
        let total_private_repos = 0
        let owned_private_repos = 0
        let disk_usage = 0
        let collaborators = 0
        let two_factor_authentication = false
    }

    let simple: UserBody
    let public_gists: Int
    let created_at: Date
    let `private`: PrivateFields?

    private enum Keys: String, CodingKey {
        case name, company, blog, location, email, hireable, bio, public_repos, public_gists, followers, following
        case created_at, updated_at
    }

    func encode(to encoder: any Encoder) throws {
        try simple.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        for key in [Keys.name, .company, .blog, .location, .email, .hireable, .bio] {
            try container.encodeNil(forKey: key)
        }
        try container.encode(0, forKey: .public_repos)
        try container.encode(public_gists, forKey: .public_gists)
        try container.encode(0, forKey: .followers)
        try container.encode(0, forKey: .following)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(created_at, forKey: .updated_at)
        try `private`?.encode(to: encoder)
    }
}

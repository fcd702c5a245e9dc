import Foundation

/// One git object as git stores it: a kind and the body that follows the `<kind> <size>\0` header.
struct GitObject: Sendable, Equatable {
    /// The four object kinds, numbered as in a pack's object header.
    enum Kind: UInt8, Sendable, Equatable {
        case commit = 1
        case tree = 2
        case blob = 3
        case tag = 4

        /// The name git uses in the object header (`git cat-file -t`).
        var name: String {
            switch self {
            case .commit: "commit"
            case .tree: "tree"
            case .blob: "blob"
            case .tag: "tag"
            }
        }
    }

    let kind: Kind
    let body: [UInt8]
    /// The object's id, the same `git hash-object` computes.
    let id: GitObjectID

    /// The object of `kind` holding `body`.
    init(kind: Kind, body: [UInt8]) {
        self.kind = kind
        self.body = body
        var hashed = Array("\(kind.name) \(body.count)\0".utf8)
        hashed.append(contentsOf: body)
        self.id = GitObjectID.sha1(of: hashed)
    }

    /// A blob holding `content`.
    static func blob(_ content: [UInt8]) -> GitObject {
        GitObject(kind: .blob, body: content)
    }
}

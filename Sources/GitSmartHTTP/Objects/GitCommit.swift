import Foundation

/// A person and a moment, as git writes them in a commit: `Name <email> <seconds> <+hhmm>`.
struct GitSignature: Sendable, Equatable {
    let name: String
    let email: String
    /// The moment, whole seconds since 1970, taken from the caller's wall clock.
    let time: Date

    init(name: String, email: String, time: Date) {
        self.name = name
        self.email = email
        self.time = time
    }

    /// The signature as it appears after `author ` or `committer ` (always in UTC, `+0000`).
    var line: String {
        "\(name) <\(email)> \(Int64(time.timeIntervalSince1970.rounded(.down))) +0000"
    }
}

/// A commit: its tree, parents, author, committer and message.
struct GitCommit: Sendable, Equatable {
    let tree: GitObjectID
    let parents: [GitObjectID]
    let author: GitSignature
    let committer: GitSignature
    let message: String

    init(tree: GitObjectID, parents: [GitObjectID], author: GitSignature, committer: GitSignature, message: String) {
        self.tree = tree
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
    }

    /// The commit object, in the layout `git cat-file -p` shows.
    var object: GitObject {
        var text = "tree \(tree.hex)\n"
        for parent in parents {
            text += "parent \(parent.hex)\n"
        }
        text += "author \(author.line)\ncommitter \(committer.line)\n\n\(message)"
        if !message.hasSuffix("\n") {
            text += "\n"
        }
        return GitObject(kind: .commit, body: Array(text.utf8))
    }

    /// The tree id a commit object's body names on its first line.
    static func treeID(ofBody body: [UInt8]) throws -> GitObjectID {
        let prefix = Array("tree ".utf8)
        guard body.count >= 45, Array(body[0..<5]) == prefix,
            let id = GitObjectID(hex: String(decoding: body[5..<45], as: UTF8.self))
        else { throw GitProtocolError(.object, "the commit does not start with a `tree <id>` line") }
        return id
    }
}

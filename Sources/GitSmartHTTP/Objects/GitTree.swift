/// A git tree: its entries in git's order, each with its mode, name and the id of what it names.
public struct GitTree: Sendable, Equatable {
    /// One entry of a tree, as `git ls-tree` lists it.
    struct Entry: Sendable, Equatable {
        /// The mode as git writes it in the tree (`100644`, `100755`, `120000`, `40000`, `160000`).
        let mode: String
        /// The name's bytes; git keeps names as bytes, not as text.
        let name: [UInt8]
        let id: GitObjectID

        init(mode: String, name: [UInt8], id: GitObjectID) {
            self.mode = mode
            self.name = name
            self.id = id
        }

        var isTree: Bool { mode == "40000" }

        /// Git compares a subtree's name as if it ended in `/` (`base_name_compare`).
        var sortKey: [UInt8] { isTree ? name + [UInt8(ascii: "/")] : name }
    }

    /// The entries, in git's order.
    let entries: [Entry]

    /// A tree of `entries`, put in git's order.
    init(entries: [Entry]) {
        self.entries = entries.sorted { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }
    }

    /// The tree a tree object's body describes.
    init(body: [UInt8]) throws {
        var entries: [Entry] = []
        var index = body.startIndex
        while index < body.endIndex {
            guard let space = body[index...].firstIndex(of: UInt8(ascii: " ")),
                let nul = body[space...].firstIndex(of: 0),
                nul + 21 <= body.endIndex
            else { throw GitProtocolError(.object, "a tree entry is cut short after \(entries.count) entries") }
            let mode = String(decoding: body[index..<space], as: UTF8.self)
            let name = Array(body[(space + 1)..<nul])
            let id = GitObjectID(unchecked: Array(body[(nul + 1)..<(nul + 21)]))
            entries.append(Entry(mode: mode, name: name, id: id))
            index = nul + 21
        }
        self.entries = entries
    }

    /// This tree with the file `name` set to `blob` (mode 100644), every other entry kept as it is.
    func replacingFile(named name: String, with blob: GitObjectID) -> GitTree {
        let nameBytes = Array(name.utf8)
        var kept = entries.filter { $0.name != nameBytes }
        kept.append(Entry(mode: "100644", name: nameBytes, id: blob))
        return GitTree(entries: kept)
    }

    /// The entry named `name`, if there is one.
    func entry(named name: String) -> Entry? {
        let nameBytes = Array(name.utf8)
        return entries.first { $0.name == nameBytes }
    }

    /// The tree object: for each entry `<mode> <name>\0<20-byte id>`.
    var object: GitObject {
        var body: [UInt8] = []
        for entry in entries {
            body.append(contentsOf: entry.mode.utf8)
            body.append(UInt8(ascii: " "))
            body.append(contentsOf: entry.name)
            body.append(0)
            body.append(contentsOf: entry.id.bytes)
        }
        return GitObject(kind: .tree, body: body)
    }
}

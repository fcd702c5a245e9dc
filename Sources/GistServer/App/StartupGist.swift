import Foundation

extension NewGist {
    /// The secret gist `gist-server --create-gist` makes at start: one README.md that says what the
    /// gist is for, so the lock file can be added beside it.
    public static func startupReadme(serverURL: String) -> NewGist {
        NewGist(
            description: "Leader election lock (local gist server)", isPublic: false,
            files: [
                "README.md": """
                # Leader election lock

                This gist was created by the local gist server at \(serverURL) for leader election.
                Each election keeps its lease record in a file named `<election>.lock` beside this one.
                """
            ])
    }
}

extension GistServerAddress {
    /// Writes `http://host:port` to `path` atomically, so that a script waiting for the file never
    /// reads half an address.
    public func writeReadyFile(at path: String) throws(GistServerError) {
        do {
            try AtomicFile.write(Data((url + "\n").utf8), to: path)
        } catch {
            throw .cannotWriteReadyFile(path, reason: String(describing: error))
        }
    }
}

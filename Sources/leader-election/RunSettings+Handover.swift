import TextEscaping
extension RunSettings {
    /// `--leader-file` and `--allow-remote-handover`, after the environment.
    static func handover(_ options: RunOptions, _ environment: [String: String]) throws -> (LeaderFile?, Bool) {
        var file: LeaderFile?
        if let path = options.leaderFile ?? environment.nonEmpty("LEADER_ELECTION_LEADER_FILE") {
            guard path.isPrintable, !path.hasSuffix("/") else {
                throw AppError(
                    "invalid --leader-file \"\(path.escapedForLog(quoting: true))\": give the path of a file, e.g. /run/leader/term"
                )
            }
            file = LeaderFile(path: path)
        }
        var remote = options.allowRemoteHandover
        if !remote, let text = environment.nonEmpty("LEADER_ELECTION_ALLOW_REMOTE_HANDOVER") {
            switch text.lowercased() {
            case "true", "1", "yes": remote = true
            case "false", "0", "no": remote = false
            default:
                throw AppError(
                    "LEADER_ELECTION_ALLOW_REMOTE_HANDOVER=\"\(text.escapedForLog(quoting: true))\" is not a boolean: give true or false"
                )
            }
        }
        return (file, remote)
    }
}

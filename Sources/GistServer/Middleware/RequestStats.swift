/// Counts the requests the GitHub routes answered, by method, route, status and token label (never
/// the token), for tests that assert how many calls a client made.
actor RequestStats {
    /// One line of the tally.
    struct Entry: Codable, Hashable, Sendable {
        var method: String
        var route: String
        var status: Int
        var token: String
    }

    /// The body of `GET /_gist-server/stats`.
    struct Report: Codable, Sendable, Equatable {
        struct Line: Codable, Sendable, Equatable {
            var method: String
            var route: String
            var status: Int
            var token: String
            var count: Int
        }
        /// Every answered request, 304s included.
        var total: Int
        /// Answers with 304 Not Modified (GitHub does not charge them to the rate limit).
        var notModified: Int
        var byMethod: [String: Int]
        /// Keyed `METHOD /route/{template}`.
        var byRoute: [String: Int]
        var byStatus: [String: Int]
        var byToken: [String: Int]
        var entries: [Line]
    }

    private var counts: [Entry: Int] = [:]

    /// Counts one answered request.
    func record(_ entry: Entry) {
        counts[entry, default: 0] += 1
    }

    /// Forgets every count.
    func reset() {
        counts.removeAll()
    }

    /// The tally so far.
    func report() -> Report {
        var report = Report(total: 0, notModified: 0, byMethod: [:], byRoute: [:], byStatus: [:], byToken: [:], entries: [])
        for (entry, count) in counts {
            report.total += count
            if entry.status == 304 { report.notModified += count }
            report.byMethod[entry.method, default: 0] += count
            report.byRoute["\(entry.method) \(entry.route)", default: 0] += count
            report.byStatus[String(entry.status), default: 0] += count
            report.byToken[entry.token, default: 0] += count
            report.entries.append(
                .init(method: entry.method, route: entry.route, status: entry.status, token: entry.token, count: count))
        }
        report.entries.sort { ($0.route, $0.method, $0.status, $0.token) < ($1.route, $1.method, $1.status, $1.token) }
        return report
    }
}

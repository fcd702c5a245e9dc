import Hummingbird

/// `per_page` and `page` as GitHub reads them (30 by default, at most 100), and the Link header.
struct Pagination {
    let perPage: Int
    let page: Int
    let total: Int

    init(query: Parameters, total: Int) {
        self.perPage = min(100, max(1, query.get("per_page", as: Int.self) ?? 30))
        self.page = max(1, query.get("page", as: Int.self) ?? 1)
        self.total = total
    }

    /// Indices of this page's items; empty past the last page.
    var range: Range<Int> {
        let start = min(total, (page - 1) * perPage)
        return start..<min(total, start + perPage)
    }

    private var lastPage: Int { max(1, (total + perPage - 1) / perPage) }

    /// `<...?page=2>; rel="next", ...`, or `nil` when everything fits on one page. `otherQuery`
    /// (already encoded, e.g. `since=...`) is kept in every link, as GitHub keeps the request's filters.
    func linkHeader(base: String, otherQuery: String = "") -> String? {
        guard lastPage > 1 else { return nil }
        let kept = otherQuery.isEmpty ? "" : "\(otherQuery)&"
        func link(_ page: Int, _ rel: String) -> String { "<\(base)?\(kept)per_page=\(perPage)&page=\(page)>; rel=\"\(rel)\"" }
        var links: [String] = []
        if page > 1 { links.append(link(page - 1, "prev")) }
        if page < lastPage { links.append(link(page + 1, "next")) }
        links.append(link(lastPage, "last"))
        if page > 1 { links.append(link(1, "first")) }
        return links.joined(separator: ", ")
    }
}

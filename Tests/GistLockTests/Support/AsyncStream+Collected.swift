extension AsyncStream {
    /// Every element up to the end of the stream; call after `finish()`.
    func collected() async -> [Element] {
        var elements: [Element] = []
        for await element in self { elements.append(element) }
        return elements
    }
}

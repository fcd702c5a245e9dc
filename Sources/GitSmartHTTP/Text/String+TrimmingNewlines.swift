extension String {
    /// The text without the newlines at its end.
    func trimmingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last.isNewline { text.removeLast() }
        return String(text)
    }
}

/// A problem the app reports in one line before exiting non-zero: what is wrong and how to fix it.
struct AppError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// What an error message tells the user to change, in the words of the application that uses the
/// client: the client knows only a repository URL and a token, the application knows where they come
/// from (a flag, an API's answer) and what the repository is to it.
public struct GitAdvice: Sendable, Equatable {
    /// After "the token was refused; " (a 401).
    public var refusedToken: String
    /// After "the token may not do this; " (a 403).
    public var forbiddenToken: String
    /// After "no repository there; " (a 404).
    public var noRepository: String
    /// After "is not a URL with a scheme and host; ".
    public var notAURL: String
    /// In parentheses after "the token is sent only over HTTPS": where plain HTTP is allowed.
    public var plainHTTP: String
    /// After "over the 20 MB ": whose answer the bound is for, and what to check.
    public var answerTooLarge: String
    /// After the quoted name of a file that cannot stand at the top of a tree.
    public var notAFileName: String

    /// Advice with each part given.
    public init(
        refusedToken: String, forbiddenToken: String, noRepository: String, notAURL: String, plainHTTP: String,
        answerTooLarge: String, notAFileName: String
    ) {
        self.refusedToken = refusedToken
        self.forbiddenToken = forbiddenToken
        self.noRepository = noRepository
        self.notAURL = notAURL
        self.plainHTTP = plainHTTP
        self.answerTooLarge = answerTooLarge
        self.notAFileName = notAFileName
    }

    /// Advice that names nothing beyond the repository and the token.
    public static let generic = GitAdvice(
        refusedToken: "give a token that may push to the repository",
        forbiddenToken: "give a token allowed to push to the repository",
        noRepository: "check the repository URL",
        notAURL: "give the repository's URL",
        plainHTTP: "plain http only to a loopback host or to the host allowed plain http",
        answerTooLarge: "a git answer may take, so it was refused unread: check the repository URL",
        notAFileName: "is not a file name at the top of a tree: give a name without `/`")
}

public import LeaderElection

extension GitHubError: ClassifiedLockError {
    /// A rate limit is throttled; no answer, a 5xx or an answer that is not GitHub's is unreachable;
    /// the rest (401, 403, 404, other 4xx) is rejected.
    public var lockErrorKind: LockErrorKind {
        switch code {
        case .rateLimited: .throttled
        case .transport, .serverError, .unexpectedResponse: .unreachable
        default: .rejected
        }
    }
}

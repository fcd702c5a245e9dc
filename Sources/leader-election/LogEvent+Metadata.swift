import Logging

extension LogEvent {
    /// The metadata a handler prints, merged in StreamLogHandler's documented order: the handler's,
    /// then the provider's, then the statement's (later keys win).
    func mergedMetadata(handler: Logger.Metadata, provider: Logger.MetadataProvider?) -> Logger.Metadata {
        var merged = handler
        merged.merge(provider?.get() ?? [:]) { $1 }
        merged.merge(metadata ?? [:]) { $1 }
        return merged
    }
}

import InMemoryLogging
import Logging

/// A logger that keeps every line at every level in swift-log's in-memory handler, and that handler: a
/// lock logs as it answers, so its lines are there once the call returns.
func capturingLogger() -> (Logger, InMemoryLogHandler) {
    var logs = InMemoryLogHandler()
    logs.logLevel = .trace
    let handler = logs
    return (Logger(label: "gist-lock-test") { _ in handler }, logs)
}

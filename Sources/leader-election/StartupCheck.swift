import LeaderElection
import Logging

/// A failure that retrying cannot heal, such as a rejected token or a missing store.
struct PermanentFailure: Error, CustomStringConvertible {
    let description: String
}

/// Reads the lock once before the election starts, so a wrong token or gist id stops the app with
/// one clear line instead of an endless retry loop; transient failures are left to the elector.
enum StartupCheck {
    static func lockIsReachable(_ lock: some ResourceLock, logger: Logger) async throws {
        do {
            _ = try await lock.get()
        } catch let error as ResourceLockError where error.code == .permanent {
            throw PermanentFailure(description: error.description)
        } catch let error as ResourceLockError {
            // An unreadable record is the election's to repair, once it has stayed unchanged for a lease.
            logger.warning("\(error.description)")
        } catch {
            logger.warning("first read of the lock failed, will keep retrying: \(error)")
        }
    }
}

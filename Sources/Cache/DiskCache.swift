import Foundation

/// Answers in files under a directory, kept across restarts: one file an entry,
/// written whole or not at all (to a temporary name, then renamed), holding its
/// key, so a file moved or damaged reads as no entry. When the files together
/// would pass `maxBytes`, the least recently used go first (files found at start
/// count as used when they were last written).
///
/// ```swift
/// let cache = try DiskCache(directory: URL(filePath: "/var/cache/headroom"), maxBytes: 1 << 30)
/// ```
public actor DiskCache: ResponseCache {
    private let directory: URL
    private let maxBytes: Int
    private let now: @Sendable () -> Date
    /// The files, by name, with their sizes.
    private var files: ByteBoundedLRU<String, Void>

    /// A store in `directory` (created if missing) holding at most `maxBytes`; files already
    /// there are counted, oldest first by modification time.
    public init(directory: URL, maxBytes: Int, now: @escaping @Sendable () -> Date = Date.init) throws {
        self.directory = directory
        self.maxBytes = max(0, maxBytes)
        self.now = now
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let found = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey])
            .filter { $0.pathExtension == "hrc" }
            .compactMap { url -> (name: String, size: Int, modified: Date)? in
                guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey]) else { return nil }
                return (url.deletingPathExtension().lastPathComponent, values.fileSize ?? 0, values.contentModificationDate ?? .distantPast)
            }
            .sorted { $0.modified < $1.modified }
        var files = ByteBoundedLRU<String, Void>(maxBytes: maxBytes)
        let dropped = found.flatMap { files.insert((), for: $0.name, bytes: $0.size) }
        self.files = files
        deleteFiles(dropped)
    }

    public func entry(for key: CacheKey) -> CacheEntry? {
        let name = key.description
        guard files.value(for: name) != nil else { return nil }
        let url = file(name)
        guard let data = FileManager.default.contents(atPath: url.path),
              let (entry, expiresAt) = CacheEntry.decode(Array(data), for: key), expiresAt > now() else {
            remove(name)
            return nil
        }
        return entry
    }

    public func store(_ entry: CacheEntry, for key: CacheKey, timeToLive: Duration) throws {
        let name = key.description
        let record = entry.record(for: key, expiresAt: now().addingTimeInterval(timeToLive / .seconds(1)))
        remove(name)
        guard record.count <= maxBytes else { return }
        let temporary = directory.appending(path: ".\(name).\(UUID().uuidString).tmp")
        try Data(record).write(to: temporary)
        guard rename(temporary.path, file(name).path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown)
        }
        deleteFiles(files.insert((), for: name, bytes: record.count))
    }

    /// The bytes the files hold now, and their number.
    public var footprint: (bytes: Int, entries: Int) { (files.bytes, files.count) }

    private nonisolated func file(_ name: String) -> URL {
        directory.appending(path: name + ".hrc")
    }

    private func remove(_ name: String) {
        files.remove(name)
        try? FileManager.default.removeItem(at: file(name))
    }

    /// Deletes the files the index dropped to make room.
    private nonisolated func deleteFiles(_ names: [String]) {
        for name in names { try? FileManager.default.removeItem(at: file(name)) }
    }
}

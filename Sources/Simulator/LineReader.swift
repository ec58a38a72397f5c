#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HeadroomCore

/// Reads a text file a line at a time, without loading it whole.
final class LineReader {
    let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// The number of the line last returned, from 1.
    private(set) var lineNumber = 0

    init(path: String) throws(HeadroomError) {
        guard let file = fopen(path, "r") else {
            throw HeadroomError(.invalidTrace, "Cannot open trace file '\(path)': \(String(cString: strerror(errno))). Check the path.")
        }
        self.path = path
        self.file = file
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    /// The next line without its line ending, or `nil` at the end of the file.
    func nextLine() -> Substring? {
        nextLineBytes().map { Substring(String(decoding: $0, as: UTF8.self)) }
    }

    /// The bytes of the next line without its line ending, or `nil` at the end
    /// of the file. They live in the reader's buffer: valid until the next call.
    func nextLineBytes() -> UnsafeBufferPointer<UInt8>? {
        let length = getline(&buffer, &capacity, file)
        guard length >= 0, let buffer else { return nil }
        lineNumber += 1
        var end = length
        while end > 0 && (buffer[end - 1] == 10 || buffer[end - 1] == 13) { end -= 1 }
        let line = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: end)
        // A byte-order mark opening the file (as some editors and spreadsheets write one) is not part of the first line.
        return lineNumber == 1 && line.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeBufferPointer(rebasing: line[3...]) : line
    }

    /// An error that names the file, the current line and the problem.
    func error(_ problem: String) -> HeadroomError {
        HeadroomError(.invalidTrace, "\(path):\(lineNumber): \(problem)")
    }
}

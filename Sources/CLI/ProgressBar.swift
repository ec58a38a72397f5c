#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A one-line progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar: Sendable {
    private let enabled = isatty(2) != 0
    private let last = Mutex<(label: String, percent: Int)>(("", -1))

    func update(_ label: String, _ fraction: Double) {
        guard enabled else { return }
        let percent = Int(fraction * 100)
        let changed = last.withLock { state -> Bool in
            guard state.label != label || state.percent != percent else { return false }
            state = (label, percent)
            return true
        }
        guard changed else { return }
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        writeStandardError("\r[\(bar)] \(String(percent).leftPadded(3))%  \(label)\u{1B}[K")
    }

    func finish() {
        guard enabled else { return }
        writeStandardError("\r\u{1B}[K")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}

/// Writes `text` to standard error, unbuffered.
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { return }
        offset += written
    }
}

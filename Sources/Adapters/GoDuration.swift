import HeadroomCore

/// Durations in Go's `time.Duration` text form, as OpenAI sends them in
/// `x-ratelimit-reset-*`: `6m0s`, `1s`, `12ms`, `1h2m3.5s`, `250us`, `0s`.
public enum GoDuration {
    /// The longest duration accepted; anything longer is treated as malformed
    /// rather than trusted into an absurd wait.
    public static let longest = Duration.seconds(24 * 3_600)

    /// Parses `text`, or returns `nil` for anything malformed, negative or
    /// longer than ``longest``.
    public static func parse(_ text: some StringProtocol) -> Duration? {
        var bytes = Substring(text).utf8[...]
        while bytes.first == UInt8(ascii: " ") { bytes = bytes.dropFirst() }
        while bytes.last == UInt8(ascii: " ") { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        if bytes.elementsEqual("0".utf8) { return .zero }
        var total = 0.0
        while !bytes.isEmpty {
            var number = 0.0, scale = 1.0, digits = 0, seenPoint = false
            while let byte = bytes.first, (byte >= 48 && byte <= 57) || byte == UInt8(ascii: ".") {
                if byte == UInt8(ascii: ".") {
                    guard !seenPoint else { return nil }
                    seenPoint = true
                } else {
                    digits += 1
                    if seenPoint {
                        scale /= 10
                        number += Double(byte - 48) * scale
                    } else {
                        number = number * 10 + Double(byte - 48)
                    }
                }
                bytes = bytes.dropFirst()
            }
            guard digits > 0 else { return nil }
            let unit: Double
            if bytes.starts(with: "ns".utf8) { unit = 1e-9; bytes = bytes.dropFirst(2) }
            else if bytes.starts(with: "us".utf8) { unit = 1e-6; bytes = bytes.dropFirst(2) }
            else if bytes.starts(with: "µs".utf8) { unit = 1e-6; bytes = bytes.dropFirst("µs".utf8.count) }
            else if bytes.starts(with: "ms".utf8) { unit = 1e-3; bytes = bytes.dropFirst(2) }
            else if bytes.first == UInt8(ascii: "s") { unit = 1; bytes = bytes.dropFirst() }
            else if bytes.first == UInt8(ascii: "m") { unit = 60; bytes = bytes.dropFirst() }
            else if bytes.first == UInt8(ascii: "h") { unit = 3_600; bytes = bytes.dropFirst() }
            else { return nil }
            total += number * unit
            guard total <= Double(longest.components.seconds) else { return nil }
        }
        return .nanoseconds(Int64((total * 1e9).rounded()))
    }
}

extension JSONValue {
    /// The value as compact JSON text, object members sorted by name (so two equal
    /// values are written alike). A number that is not finite is written `null`.
    public var jsonBytes: [UInt8] {
        var bytes: [UInt8] = []
        write(to: &bytes, canonical: false)
        return bytes
    }

    /// The value written one way whatever way it was written: as ``jsonBytes``, and a number with
    /// no fraction as an integer (`1.0`, `1e0` and `1` alike). Equal requests have equal canonical bytes.
    public var canonicalBytes: [UInt8] {
        var bytes: [UInt8] = []
        write(to: &bytes, canonical: true)
        return bytes
    }

    private func write(to bytes: inout [UInt8], canonical: Bool) {
        switch self {
        case .null: bytes += "null".utf8
        case .bool(let value): bytes += (value ? "true" : "false").utf8
        case .integer(let value): bytes += String(value).utf8
        case .number where canonical && integerValue != nil: bytes += String(integerValue ?? 0).utf8
        case .number(let value): bytes += (value.isFinite ? value.description : "null").utf8
        case .string(let value): Self.write(value, to: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                item.write(to: &bytes, canonical: canonical)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let fields):
            bytes.append(UInt8(ascii: "{"))
            for (i, name) in fields.keys.sorted().enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.write(name, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                fields[name]?.write(to: &bytes, canonical: canonical)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    private static func write(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += #"\""#.utf8
            case UInt8(ascii: "\\"): bytes += #"\\"#.utf8
            case 0x0A: bytes += #"\n"#.utf8
            case 0x0D: bytes += #"\r"#.utf8
            case 0x09: bytes += #"\t"#.utf8
            case 0 ..< 0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += #"\u00"#.utf8
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

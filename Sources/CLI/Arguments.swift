import HeadroomCore

/// Command-line options of the form `--name value` and `--flag`, checked
/// against what a command accepts.
struct Arguments {
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    /// Arguments that are neither options nor their values, in order.
    private(set) var positional: [String] = []

    /// Parses `arguments`, accepting only `options` (which take a value), `switches`,
    /// and at most `positionals` other arguments.
    init(_ arguments: [String], options: Set<String>, switches: Set<String> = [], positionals: Int = 0) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else {
                guard positional.count < positionals else { throw UsageError("unexpected argument '\(argument)'") }
                positional.append(argument)
                index += 1
                continue
            }
            let name = String(argument.dropFirst(2))
            if switches.contains(name) {
                flags.insert(name)
            } else if options.contains(name) {
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                    throw UsageError("--\(name) needs a value")
                }
                values[name] = arguments[index + 1]
                index += 1
            } else {
                throw UsageError("unknown option '\(argument)'")
            }
            index += 1
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// The value of `--name` as a whole number, if given.
    func integer(_ name: String) throws(UsageError) -> UInt64? {
        guard let text = values[name] else { return nil }
        guard let value = UInt64(text) else { throw UsageError("--\(name) takes a whole number, not '\(text)'") }
        return value
    }
}

/// A mistake on the command line: said with the usage, exit status 2.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

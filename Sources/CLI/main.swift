// headroom: the command-line face of Headroom.
//
//     swift run -c release headroom simulate     # the built-in scenario: Headroom against three baselines
//     swift run -c release headroom sweep --parameter utilization --values 0.8,0.9,1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HeadroomCore

let usage = """
usage: headroom <command> [options]

commands:
  simulate   replay a workload against mock deployments with Headroom and the baselines
  sweep      run a scenario over a range of one setting
  tokens     the exact token ids or count of a text (cl100k_base, o200k_base)

Run 'headroom <command> --help' for a command's options.
"""

let arguments = Array(CommandLine.arguments.dropFirst())
let commands: [String: (usage: String, run: ([String]) throws -> Int32)] = [
    "simulate": (SimulateCommand.usage, SimulateCommand.run),
    "sweep": (SweepCommand.usage, SweepCommand.run),
    "tokens": (TokensCommand.usage, TokensCommand.run),
]

guard let name = arguments.first, name != "--help", name != "-h" else {
    print(usage)
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = commands[name] else {
    writeStandardError("error: unknown command '\(name)'\n\n\(usage)\n")
    exit(2)
}
let rest = Array(arguments.dropFirst())
if rest.contains("--help") || rest.contains("-h") {
    print(command.usage)
    exit(0)
}
do {
    exit(try command.run(rest))
} catch let error as UsageError {
    writeStandardError("error: \(error.message)\n\n\(command.usage)\n")
    exit(2)
} catch let error as HeadroomError {
    writeStandardError("error: \(error.message)\n")
    exit(1)
} catch {
    writeStandardError("error: \(error)\n")
    exit(1)
}

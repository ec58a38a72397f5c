import NIOCore

/// Writes commands and hands each reply to the command that waits for it, in
/// order: Redis answers a connection's commands in the order they were sent, so
/// many can be in flight at once (pipelining). When the connection fails or
/// closes, every command still waiting fails.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = (command: [[UInt8]], reply: EventLoopPromise<RESPValue>)
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let (command, reply) = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: command.reduce(16) { $0 + $1.count + 16 })
        buffer.writeString("*\(command.count)\r\n")
        for argument in command {
            buffer.writeString("$\(argument.count)\r\n")
            buffer.writeBytes(argument)
            buffer.writeString("\r\n")
        }
        waiting.append(reply)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard let reply = waiting.popFirst() else {
            // A reply nobody asked for: the connection cannot be trusted to pair replies any more.
            context.close(promise: nil)
            return
        }
        reply.succeed(value)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        while let reply = waiting.popFirst() { reply.fail(error) }
    }
}

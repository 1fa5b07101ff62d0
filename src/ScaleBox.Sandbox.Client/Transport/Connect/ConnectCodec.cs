using System;
using System.Reflection;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport.Connect;

/// <summary>
/// How messages are written in a Connect body: binary protobuf (what the Python SDK sends) or
/// proto3 canonical JSON (what the JavaScript SDK sends: lowerCamelCase names, enums by name,
/// int64 as strings, bytes in base64, default values left out), named by the content type's suffix.
/// </summary>
internal abstract class ConnectCodec
{
    public static readonly ConnectCodec Proto = new ProtoCodec();
    public static readonly ConnectCodec Json = new JsonCodec();

    /// <summary>The suffix of the content types: <c>application/NAME</c>, <c>application/connect+NAME</c>.</summary>
    public abstract string Name { get; }

    public string UnaryMediaType => "application/" + Name;

    public string StreamingMediaType => "application/connect+" + Name;

    public abstract byte[] Serialize(IMessage message);

    /// <exception cref="RpcException">Internal when the bytes are not a <typeparamref name="T"/>.</exception>
    public T Parse<T>(byte[] data)
    {
        try
        {
            return (T)ParseCore(data, MessageTypeOf<T>.Value);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException || e is InvalidJsonException || e is DecoderFallbackException)
        {
            throw new RpcException(new Status(StatusCode.Internal,
                $"cannot read the {Name} response as {MessageTypeOf<T>.Value.Descriptor.FullName}: {e.Message}", e));
        }
    }

    protected abstract IMessage ParseCore(byte[] data, MessageType type);

    /// <summary>
    /// What a codec needs of a generated message class. Its parser comes from the class's static
    /// <c>Parser</c>, which runs only that class's own static constructor; its descriptor (the JSON
    /// codec's need, and an error's wording) is asked for only when needed, since the first
    /// descriptor of a .proto file builds the reflection of every message in it: hundreds of methods
    /// compiled and run on a session's first call.
    /// </summary>
    protected sealed class MessageType
    {
        readonly Type _type;
        MessageDescriptor? _descriptor;

        public MessageType(Type type)
        {
            _type = type;
            Parser = StaticOf<MessageParser>(type, "Parser");
        }

        public MessageParser Parser { get; }

        public MessageDescriptor Descriptor => _descriptor ??= StaticOf<MessageDescriptor>(_type, "Descriptor");

        static TValue StaticOf<TValue>(Type type, string property) where TValue : class =>
            type.GetProperty(property, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as TValue
            ?? throw new InvalidOperationException($"{type} is not a message class generated from a .proto file.");
    }

    /// <summary>The <see cref="MessageType"/> of a generated message class, made once per type.</summary>
    static class MessageTypeOf<T>
    {
        public static readonly MessageType Value = new MessageType(typeof(T));
    }

    sealed class ProtoCodec : ConnectCodec
    {
        public override string Name => "proto";

        public override byte[] Serialize(IMessage message) => message.ToByteArray();

        protected override IMessage ParseCore(byte[] data, MessageType type) => type.Parser.ParseFrom(data);
    }

    sealed class JsonCodec : ConnectCodec
    {
        // A newer agent may send fields this client does not know yet: skip them, as the official clients do.
        static readonly JsonParser Parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

        // Invalid UTF-8 makes a malformed body, not text to patch up with replacement characters.
        static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public override string Name => "json";

        public override byte[] Serialize(IMessage message) => Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message));

        protected override IMessage ParseCore(byte[] data, MessageType type) =>
            Parser.Parse(StrictUtf8.GetString(data), type.Descriptor);
    }
}

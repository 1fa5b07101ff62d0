using System;
using System.Collections.Generic;
#if NET5_0_OR_GREATER
using System.Text.Json;
#else
using Google.Protobuf.WellKnownTypes;
#endif

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A JSON object from one of the agent's plain HTTP answers (an upload's result, an error body),
/// read only as far as the client looks into it: its non-empty string fields and the objects
/// inside it. On .NET 8 it is read with System.Text.Json, which ships with the runtime compiled
/// ahead of time: protobuf's JSON parser, used before, cost the first upload of every process
/// tens of milliseconds to warm up. Windows PowerShell has no System.Text.Json in the box, so
/// there it goes through protobuf's <c>Value</c> as before.
/// </summary>
internal sealed class AgentJsonObject
{
    readonly Dictionary<string, string> _strings = new Dictionary<string, string>(StringComparer.Ordinal);
    readonly Dictionary<string, AgentJsonObject> _objects = new Dictionary<string, AgentJsonObject>(StringComparer.Ordinal);

    AgentJsonObject()
    {
    }

    /// <summary>The string field <paramref name="name"/>, or null when it is missing, empty or not a string.</summary>
    public string? String(string name) => _strings.TryGetValue(name, out string? value) ? value : null;

    /// <summary>The object field <paramref name="name"/>, or null when it is missing or not an object.</summary>
    public AgentJsonObject? Object(string name) => _objects.TryGetValue(name, out AgentJsonObject? value) ? value : null;

    /// <summary>
    /// The object <paramref name="text"/> holds, or (with <paramref name="firstOfArray"/>) the first
    /// element of the array it holds; null when it is not JSON or not of that shape.
    /// </summary>
    public static AgentJsonObject? TryParse(string text, bool firstOfArray = false)
    {
        char first = text.Length > 0 ? text[0] : '\0';
        if (first != '{' && first != '[')
        {
            return null;
        }
#if NET5_0_OR_GREATER
        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            JsonElement root = document.RootElement;
            if (firstOfArray && root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }
            return root.ValueKind == JsonValueKind.Object ? From(root) : null;
        }
        catch (Exception e) when (e is JsonException || e is InvalidOperationException)
        {
            // InvalidOperationException: a string escape with a lone surrogate ("\ud800"), which
            // the reader accepts and GetString refuses; a hostile body must not end as a crash.
            return null;
        }
#else
        Value value;
        try
        {
            value = Value.Parser.ParseJson(text);
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidJsonException || e is Google.Protobuf.InvalidProtocolBufferException || e is FormatException)
        {
            return null;
        }
        if (firstOfArray && value.KindCase == Value.KindOneofCase.ListValue && value.ListValue.Values.Count > 0)
        {
            value = value.ListValue.Values[0];
        }
        return value.KindCase == Value.KindOneofCase.StructValue ? From(value.StructValue) : null;
#endif
    }

#if NET5_0_OR_GREATER
    static AgentJsonObject From(JsonElement element)
    {
        var result = new AgentJsonObject();
        foreach (JsonProperty property in element.EnumerateObject())
        {
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    string text = property.Value.GetString()!;
                    if (text.Length > 0)
                    {
                        result._strings[property.Name] = text;
                    }
                    break;
                case JsonValueKind.Object:
                    result._objects[property.Name] = From(property.Value);
                    break;
            }
        }
        return result;
    }
#else
    static AgentJsonObject From(Struct fields)
    {
        var result = new AgentJsonObject();
        foreach (KeyValuePair<string, Value> field in fields.Fields)
        {
            switch (field.Value.KindCase)
            {
                case Value.KindOneofCase.StringValue:
                    if (field.Value.StringValue.Length > 0)
                    {
                        result._strings[field.Key] = field.Value.StringValue;
                    }
                    break;
                case Value.KindOneofCase.StructValue:
                    result._objects[field.Key] = From(field.Value.StructValue);
                    break;
            }
        }
        return result;
    }
#endif
}

using System;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>Lowercase hex for digests (Convert.ToHexString is missing from netstandard2.0).</summary>
internal static class Hex
{
    const string Digits = "0123456789abcdef";

    public static string Encode(byte[] bytes)
    {
        var chars = new char[bytes.Length * 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = Digits[bytes[i] >> 4];
            chars[2 * i + 1] = Digits[bytes[i] & 0xF];
        }
        return new string(chars);
    }

    /// <summary>A SHA-256 given by a caller: 64 hex digits, any case, surrounding space ignored.</summary>
    /// <exception cref="ArgumentException">Not 64 hex digits.</exception>
    public static string NormalizeSha256(string text, string parameterName)
    {
        string trimmed = text.Trim();
        if (trimmed.Length != 64)
        {
            throw new ArgumentException($"A SHA-256 is 64 hex digits; '{text}' has {trimmed.Length} characters.", parameterName);
        }
        foreach (char c in trimmed)
        {
            bool isHex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!isHex)
            {
                throw new ArgumentException($"A SHA-256 is 64 hex digits; '{text}' contains '{c}'.", parameterName);
            }
        }
        return trimmed.ToLowerInvariant();
    }

    /// <summary>Eight random hex digits, for names of staging files.</summary>
    public static string RandomSuffix()
    {
        var bytes = new byte[4];
        using (var random = System.Security.Cryptography.RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }
        return Encode(bytes);
    }
}

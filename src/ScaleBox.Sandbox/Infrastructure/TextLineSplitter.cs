using System;
using System.Collections.Generic;
using System.Text;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Decodes bytes that arrive in pieces into whole lines (LF or CRLF), or into the pieces a given
/// delimiter ends (Get-Content -Delimiter): a character, or a delimiter, split across two pieces is
/// found whole, and a last line without its ending waits for the next piece.
/// </summary>
internal sealed class TextLineSplitter
{
    readonly Encoding _encoding;
    readonly string? _delimiter;
    Decoder _decoder;
    readonly StringBuilder _pending = new StringBuilder();
    int _searched; // with a delimiter: how much of _pending was searched for it already

    /// <summary>For text that arrives already decoded.</summary>
    public TextLineSplitter(string? delimiter = null)
        : this(Encoding.UTF8, delimiter)
    {
    }

    /// <param name="encoding">How the bytes are decoded.</param>
    /// <param name="delimiter">What ends a piece, taken out as a line ending is; null for lines.</param>
    public TextLineSplitter(Encoding encoding, string? delimiter = null)
    {
        _encoding = encoding;
        _delimiter = string.IsNullOrEmpty(delimiter) ? null : delimiter;
        _decoder = encoding.GetDecoder();
    }

    /// <summary>The lines these bytes complete.</summary>
    public List<string> Add(byte[] bytes)
    {
        var chars = new char[_encoding.GetMaxCharCount(bytes.Length)];
        int count = _decoder.GetChars(bytes, 0, bytes.Length, chars, 0, flush: false);
        _pending.Append(chars, 0, count);
        return CompleteLines();
    }

    /// <summary>The lines this text completes.</summary>
    public List<string> Add(string text)
    {
        _pending.Append(text);
        return CompleteLines();
    }

    /// <summary>What is left without a line ending, as a last line; empty when nothing is.</summary>
    public List<string> Flush()
    {
        var last = new List<string>();
        if (_pending.Length > 0)
        {
            last.Add(_pending.ToString());
            _pending.Clear();
            _searched = 0;
        }
        return last;
    }

    List<string> CompleteLines()
    {
        if (_delimiter is not null)
        {
            return CompletePieces(_delimiter);
        }
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < _pending.Length; i++)
        {
            if (_pending[i] == '\n')
            {
                int end = i > start && _pending[i - 1] == '\r' ? i - 1 : i;
                lines.Add(_pending.ToString(start, end - start));
                start = i + 1;
            }
        }
        _pending.Remove(0, start);
        return lines;
    }

    List<string> CompletePieces(string delimiter)
    {
        // Only the text added since the last search is searched (with the delimiter's length less
        // one before it, where a delimiter split across two additions starts), so that a piece
        // longer than many additions costs no more than its length.
        var pieces = new List<string>();
        int searchFrom = Math.Max(0, _searched - (delimiter.Length - 1));
        string window = _pending.ToString(searchFrom, _pending.Length - searchFrom);
        int pieceStart = 0;
        int found;
        int at = 0;
        while ((found = window.IndexOf(delimiter, at, StringComparison.Ordinal)) >= 0)
        {
            int end = searchFrom + found;
            pieces.Add(_pending.ToString(pieceStart, end - pieceStart));
            pieceStart = end + delimiter.Length;
            at = found + delimiter.Length;
        }
        _pending.Remove(0, pieceStart);
        _searched = _pending.Length;
        return pieces;
    }

    /// <summary>Forgets a partial line and a partial character: the text starts over.</summary>
    public void Reset()
    {
        _pending.Clear();
        _searched = 0;
        _decoder = _encoding.GetDecoder();
    }
}

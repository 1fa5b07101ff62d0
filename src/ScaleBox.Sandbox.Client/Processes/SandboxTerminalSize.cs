using System;
using System.Globalization;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>The size of a pseudo-terminal, in character cells.</summary>
public sealed class SandboxTerminalSize : IEquatable<SandboxTerminalSize>
{
    /// <summary>The largest size a terminal can have (the kernel stores it in 16 bits).</summary>
    public const int MaxCells = ushort.MaxValue;

    /// <summary>80 columns by 24 rows, the official SDKs' default.</summary>
    public static SandboxTerminalSize Default { get; } = new SandboxTerminalSize(80, 24);

    /// <exception cref="ArgumentOutOfRangeException">A dimension is below 1 or above <see cref="MaxCells"/>.</exception>
    public SandboxTerminalSize(int columns, int rows)
    {
        Columns = Check(columns, nameof(columns));
        Rows = Check(rows, nameof(rows));
    }

    public int Columns { get; }

    public int Rows { get; }

    /// <summary><c>80x24</c>.</summary>
    public override string ToString() =>
        Columns.ToString(CultureInfo.InvariantCulture) + "x" + Rows.ToString(CultureInfo.InvariantCulture);

    public bool Equals(SandboxTerminalSize? other) => other is not null && Columns == other.Columns && Rows == other.Rows;

    public override bool Equals(object? obj) => Equals(obj as SandboxTerminalSize);

    public override int GetHashCode() => (Columns << 16) ^ Rows;

    static int Check(int value, string name) =>
        value >= 1 && value <= MaxCells
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"A terminal {name} count must be between 1 and {MaxCells}.");
}

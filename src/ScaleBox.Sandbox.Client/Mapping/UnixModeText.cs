using System;
namespace ScaleBox.Sandbox.Client.Mapping;

/// <summary>
/// The agent's permission text, which is Go's FileMode.String() (type and special-bit letters in
/// front: <c>Lrwxrwxrwx</c>, <c>-urwxr-xr-x</c>, <c>dtrwxrwxrwx</c>, <c>Dcrw-rw-rw-</c>), written
/// as <c>ls -l</c> and Get-ChildItem's UnixMode write it: one type letter (<c>l</c>, <c>d</c>,
/// <c>c</c>, <c>b</c>, <c>p</c>, <c>s</c>, <c>-</c>) and setuid, setgid and sticky in the execute
/// places (<c>s</c>/<c>S</c>, <c>t</c>/<c>T</c>). Text of another shape is kept as it is.
/// </summary>
internal static class UnixModeText
{
    const int PermissionLength = 9;

    public static string FromGoFileMode(string goMode)
    {
        if (goMode is null || goMode.Length <= PermissionLength)
        {
            return goMode ?? string.Empty;
        }
        string letters = goMode.Substring(0, goMode.Length - PermissionLength);
        char[] permissions = goMode.Substring(letters.Length).ToCharArray();
        if (letters == "-" || letters == "d" || Array.Exists(permissions, c => c != 'r' && c != 'w' && c != 'x' && c != '-'))
        {
            return goMode;
        }

        char type =
            letters.IndexOf('d') >= 0 ? 'd'
            : letters.IndexOf('L') >= 0 ? 'l'
            : letters.IndexOf('D') >= 0 ? (letters.IndexOf('c') >= 0 ? 'c' : 'b')
            : letters.IndexOf('p') >= 0 ? 'p'
            : letters.IndexOf('S') >= 0 ? 's'
            : '-';
        if (letters.IndexOf('u') >= 0)
        {
            permissions[2] = permissions[2] == 'x' ? 's' : 'S';
        }
        if (letters.IndexOf('g') >= 0)
        {
            permissions[5] = permissions[5] == 'x' ? 's' : 'S';
        }
        if (letters.IndexOf('t') >= 0)
        {
            permissions[8] = permissions[8] == 'x' ? 't' : 'T';
        }
        return type + new string(permissions);
    }
}

using ScaleBox.Sandbox.Client.Mapping;

namespace ScaleBox.Sandbox.Tests.Client;

/// <summary>The agent's Go FileMode text, written as ls -l and Get-ChildItem's UnixMode write it.</summary>
public sealed class UnixModeTextTests
{
    [Theory]
    [InlineData("-rw-r--r--", "-rw-r--r--")]
    [InlineData("drwxr-xr-x", "drwxr-xr-x")]
    [InlineData("Lrwxrwxrwx", "lrwxrwxrwx")]
    [InlineData("-urwxr-xr-x", "-rwsr-xr-x")]
    [InlineData("-urw-r--r--", "-rwSr--r--")]
    [InlineData("-grwxr-xr-x", "-rwxr-sr-x")]
    [InlineData("dtrwxrwxrwx", "drwxrwxrwt")]
    [InlineData("dtrwxrwxrw-", "drwxrwxrwT")]
    [InlineData("dgtrwxrwxrwx", "drwxrwsrwt")]
    [InlineData("Dcrw-rw-rw-", "crw-rw-rw-")]
    [InlineData("Drw-rw----", "brw-rw----")]
    [InlineData("prw-r--r--", "prw-r--r--")]
    [InlineData("Srwxrwxrwx", "srwxrwxrwx")]
    [InlineData("?rw-r--r--", "-rw-r--r--")]
    [InlineData("", "")]
    [InlineData("0644", "0644")]
    [InlineData("Lrwxrwxrwz", "Lrwxrwxrwz")]
    public void Go_letters_become_ls_letters(string goMode, string expected)
    {
        Assert.Equal(expected, UnixModeText.FromGoFileMode(goMode));
    }
}

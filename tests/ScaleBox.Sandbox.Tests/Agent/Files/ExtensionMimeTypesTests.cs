using ScaleBox.Sandbox.Agent.Files;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>Types by extension as Go's mime.TypeByExtension builds its table on Linux, from system files the test writes.</summary>
public sealed class ExtensionMimeTypesTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("sbx-mime-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    string Missing(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Go_own_table_answers_without_any_system_file()
    {
        ExtensionMimeTypes types = ExtensionMimeTypes.Load([Missing("globs2")], [Missing("mime.types")]);

        Assert.Equal("text/html; charset=utf-8", types.Find(".html"));
        Assert.Equal("application/json", types.Find(".json"));
        Assert.Equal("text/javascript; charset=utf-8", types.Find(".JS"));
        Assert.Null(types.Find(".txt"));
        Assert.Null(types.Find(""));
    }

    [Fact]
    public void The_first_shared_database_found_is_read_heaviest_first_and_the_own_table_wins()
    {
        string globs = Write("globs2", """
            # comment
            80:text/x-python3:*.py
            50:text/x-python:*.py
            50:text/plain:*.txt
            50:application/x-bogus:*.html
            50:text/x-makefile:makefile
            50:image/x-tga:*.[tT][gG][aA]
            50:text/x-c++src:*.C:cs
            """);
        string ignored = Write("later-globs2", "50:application/x-later:*.later\n");
        string mimeTypes = Write("mime.types", "application/x-never txt never\n");

        ExtensionMimeTypes types = ExtensionMimeTypes.Load([Missing("none"), globs, ignored], [mimeTypes]);

        Assert.Equal("text/x-python3; charset=utf-8", types.Find(".py"));
        Assert.Equal("text/plain; charset=utf-8", types.Find(".txt"));
        Assert.Equal("text/html; charset=utf-8", types.Find(".html"));
        Assert.Equal("text/x-c++src; charset=utf-8", types.Find(".C"));
        Assert.Null(types.Find(".tga"));
        Assert.Null(types.Find(".later"));
        Assert.Null(types.Find(".never"));
    }

    [Fact]
    public void Without_a_database_every_mime_types_file_is_read_and_overrides_the_own_table()
    {
        string first = Write("mime.types", """
            # type  extensions
            text/plain  txt text   # plain
            application/x-html-override  html
            lonely
            """);
        string second = Write("apache.types", "application/x-tar tar\napplication/x-second txt\n");

        ExtensionMimeTypes types = ExtensionMimeTypes.Load([Missing("globs2")], [first, Missing("gone.types"), second]);

        Assert.Equal("application/x-second", types.Find(".txt"));
        Assert.Equal("text/plain; charset=utf-8", types.Find(".text"));
        Assert.Equal("application/x-html-override", types.Find(".HTML"));
        Assert.Equal("application/x-tar", types.Find(".tar"));
        Assert.Null(types.Find(".plain"));
    }

    [Theory]
    [InlineData("/home/user/report.final.pdf", ".pdf")]
    [InlineData("/home/user/.bashrc", ".bashrc")]
    [InlineData("/home/user.d/Makefile", "")]
    [InlineData("/tmp/name.", ".")]
    public void The_extension_is_Go_filepath_Ext(string path, string expected)
    {
        Assert.Equal(expected, ExtensionMimeTypes.ExtensionOf(path));
    }
}

using System.Text;
using PolicyLab.IO;

namespace PolicyLab.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Entries() => Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void WriteAllBytes_creates_and_replaces_without_leftovers()
    {
        string path = Path.Combine(_dir, "a.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        AtomicFile.WriteAllBytes(path, [9]);
        Assert.Equal(new byte[] { 9 }, File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], Entries());
    }

    [Fact]
    public void WriteAllText_is_utf8_without_bom()
    {
        string path = Path.Combine(_dir, "t.txt");
        AtomicFile.WriteAllText(path, "héllo");
        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_callback_output_is_published()
    {
        string path = Path.Combine(_dir, "s.bin");
        AtomicFile.Write(path, s => s.Write([4, 5, 6, 7]));
        Assert.Equal(new byte[] { 4, 5, 6, 7 }, File.ReadAllBytes(path));
        Assert.Equal(["s.bin"], Entries());
    }

    [Fact]
    public void Old_content_survives_when_the_writer_throws_and_no_temp_file_is_left()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        File.WriteAllBytes(path, [42, 43]);
        var error = Assert.Throws<InvalidDataException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[10_000]);
            throw new InvalidDataException("boom");
        }));
        Assert.Equal("boom", error.Message);
        Assert.Equal(new byte[] { 42, 43 }, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Entries());
    }

    [Fact]
    public void Failed_first_write_creates_nothing()
    {
        string path = Path.Combine(_dir, "new.bin");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, _ => throw new InvalidOperationException("x")));
        Assert.Empty(Entries());
    }

    [Fact]
    public void Writer_that_closes_the_stream_is_rejected_and_cleaned_up()
    {
        string path = Path.Combine(_dir, "c.bin");
        File.WriteAllBytes(path, [1]);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => s.Dispose()));
        Assert.Equal(new byte[] { 1 }, File.ReadAllBytes(path));
        Assert.Equal(["c.bin"], Entries());
    }

    [Fact]
    public void PublishDirectory_creates_replaces_and_rolls_back()
    {
        string target = Path.Combine(_dir, "ckpt");
        AtomicFile.PublishDirectory(target, d => File.WriteAllText(Path.Combine(d, "v"), "1"));
        Assert.Equal("1", File.ReadAllText(Path.Combine(target, "v")));

        Assert.Throws<IOException>(() => AtomicFile.PublishDirectory(target, _ => { }));

        Assert.Throws<InvalidDataException>(() => AtomicFile.PublishDirectory(target, d =>
        {
            File.WriteAllText(Path.Combine(d, "v"), "half");
            throw new InvalidDataException("crash");
        }, overwrite: true));
        Assert.Equal("1", File.ReadAllText(Path.Combine(target, "v")));
        Assert.Equal(["ckpt"], Entries());

        AtomicFile.PublishDirectory(target, d => File.WriteAllText(Path.Combine(d, "w"), "2"), overwrite: true);
        Assert.Equal(["w"], Directory.GetFiles(target).Select(p => Path.GetFileName(p)).ToArray());
        Assert.Equal(["ckpt"], Entries());
    }
}

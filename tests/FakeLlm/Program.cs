using System.Runtime.InteropServices;
using XSArena.FakeLlm;

// Usage: FakeLlm [--port N] [--script path.json] [--ignore-stdin]
// Prints "listening http://127.0.0.1:PORT/v1" as its first line, then serves until stdin closes,
// SIGTERM or SIGINT arrives, or it is killed. --ignore-stdin is for launchers that give it no stdin.
var port = 0;
string? scriptPath = null;
var watchStdin = true;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--script" when i + 1 < args.Length:
            scriptPath = args[++i];
            break;
        case "--ignore-stdin":
            watchStdin = false;
            break;
        default:
            Console.Error.WriteLine($"unknown argument: {args[i]}");
            Console.Error.WriteLine("usage: FakeLlm [--port N] [--script path.json] [--ignore-stdin]");
            return 2;
    }
}

var script = scriptPath is null ? FakeScript.Empty : FakeScript.Parse(await File.ReadAllTextAsync(scriptPath));
await using var server = new FakeLlmServer(script, port);
await server.StartAsync();
Console.Out.WriteLine($"listening {server.BaseUrl}");
Console.Out.Flush();

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

if (watchStdin)
{
    _ = Task.Run(async () =>
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[1024];
        try
        {
            while (await stdin.ReadAsync(buffer) > 0) { }
        }
        catch (IOException)
        {
        }
        stop.TrySetResult();
    });
}

await stop.Task;
return 0;

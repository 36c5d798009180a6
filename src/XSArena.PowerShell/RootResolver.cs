using System.Management.Automation;
using XSArena.Core.Store;

namespace XSArena.PowerShell;

/// <summary>Resolves the project root from the PowerShell location (not the process working directory, which does
/// not follow Set-Location).</summary>
internal static class RootResolver
{
    public static string Resolve(PSCmdlet cmdlet)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ProjectRoot.EnvironmentVariable);
        var root = ProjectRoot.Resolve(fromEnvironment, cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath);
        // A typo in the variable would otherwise start a new, empty project there without a word.
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && !Directory.Exists(root))
        {
            cmdlet.ThrowTerminatingError(ErrorHelper.RootNotFound(
                $"{ProjectRoot.EnvironmentVariable} is '{fromEnvironment}' ({root}), which is not a folder. Create it, or correct or remove the variable.",
                root));
        }
        return root;
    }
}

// Reading and compiling specs inside their project folder: all `sisflow validate` needs from this
// package, without the run history, the scheduler or their drivers.
export { openProject, projectOfSpec, isProjectFolder, PROJECT_FILE, type Project, type OpenedProject } from './open-project.js';
export { compileSpecFile, type CompileOptions } from './compile-in-project.js';
export { readSpecFile } from './read-spec-file.js';

import type { Viewer } from '../domain/access/viewer.ts';
import type { AppContext } from '../domain/context.ts';

/** What every resolver gets: the app's services and who is asking. */
export interface RequestContext extends AppContext {
  viewer: Viewer;
}
